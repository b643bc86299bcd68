#!/usr/bin/env bash
# Makes sure PostgreSQL answers on 127.0.0.1:5432 with a database `test` (trust auth, as on
# these machines): starts the cluster when it is down, installs it from Debian when missing.
# Also drops schemas left behind by earlier test runs.
set -euo pipefail
pg() { PGOPTIONS="-c client_min_messages=warning" psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }

if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  version=$(ls /etc/postgresql | sort -n | tail -1)
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 50); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 0.2; done
fi
pg -d postgres -c "SELECT 1 FROM pg_database WHERE datname = 'test'" | grep -q 1 \
  || pg -d postgres -c "CREATE DATABASE test"
# Leftover per-test schemas (t_…, py_…) from interrupted runs.
pg -d test -c "SELECT nspname FROM pg_namespace WHERE nspname ~ '^(t|py)_[0-9a-f]+$'" | while read -r s; do
  pg -d test -c "DROP SCHEMA \"$s\" CASCADE" >/dev/null
done
echo "PostgreSQL ready"
