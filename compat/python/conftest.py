"""Starts the real paygate binary (KakaoPay sandbox + gateway) for the compatibility tests,
once on SQLite and once on PostgreSQL, and gives the tests a way to make paid payments the way
a buyer would (checkout, approve in the sandbox's "app", browser returns)."""

import json
import os
import secrets
import socket
import subprocess
import tempfile
import time

import pytest
import requests

PAYGATE_BIN = os.environ.get("PAYGATE_BIN", os.path.join(os.path.dirname(__file__), "../../target/debug/paygate"))
PG_ADMIN = os.environ.get("PAYGATE_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url, proc, timeout=15.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: process exited with {proc.returncode}")
        try:
            requests.get(url, timeout=0.5)
            return
        except requests.ConnectionError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not come up")


def database_url(backend, tmp):
    if backend == "sqlite":
        return f"sqlite://{tmp}/paygate.db"
    schema = "py_" + secrets.token_hex(6)
    subprocess.run(["psql", PG_ADMIN, "-qc", f"CREATE SCHEMA {schema}"], check=True)
    sep = "&" if "?" in PG_ADMIN else "?"
    return f"{PG_ADMIN}{sep}options=-c%20search_path%3D{schema}"


class Paygate:
    def __init__(self, gateway, sandbox, merchant):
        self.gateway = gateway
        self.sandbox = sandbox
        self.merchant = merchant
        self.http = requests.Session()

    @property
    def imp_url(self):
        # The PyPI client needs the trailing slash.
        return self.gateway + "/"

    def checkout(self, merchant_uid, amount, **params):
        body = {"imp_code": self.merchant["merchant_code"], "channel": "pc",
                "params": {"pg": "kakaopay", "pay_method": "card", "merchant_uid": merchant_uid,
                           "amount": amount, "name": "호환성 테스트 상품", **params}}
        return self.http.post(f"{self.gateway}/v1/checkout", json=body).json()

    def pay(self, merchant_uid, amount):
        started = self.checkout(merchant_uid, amount)
        assert started["code"] == 0, started
        tid = started["response"]["pg_tid"]
        approved = self.http.post(f"{self.sandbox}/sandbox/buyer/{tid}/approve", json={}).json()
        back = self.http.get(approved["redirect_url"], allow_redirects=False)
        assert back.status_code == 302, back.text
        return started["response"]["imp_uid"]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def paygate(request):
    backend = request.param
    tmp = tempfile.mkdtemp(prefix="paygate-py-")
    secret_key = "DEV" + secrets.token_hex(16)
    sandbox_port, gateway_port = free_port(), free_port()
    db = database_url(backend, tmp)
    procs = []
    try:
        sandbox = subprocess.Popen([PAYGATE_BIN, "kakaopay-sandbox", "--listen", f"127.0.0.1:{sandbox_port}",
                                    "--secret-key", secret_key], stderr=subprocess.DEVNULL)
        procs.append(sandbox)
        created = subprocess.run([PAYGATE_BIN, "merchant", "create", "--name", "호환성 상점",
                                  "--kakaopay-cid", "TC0ONETIME", "--kakaopay-secret-key", secret_key,
                                  "--database-url", db, "--json"], check=True, capture_output=True, text=True)
        merchant = json.loads(created.stdout)
        gateway = subprocess.Popen([PAYGATE_BIN, "serve", "--listen", f"127.0.0.1:{gateway_port}",
                                    "--database-url", db, "--kakaopay-base-url", f"http://127.0.0.1:{sandbox_port}"],
                                   stderr=subprocess.DEVNULL)
        procs.append(gateway)
        wait_until_up(f"http://127.0.0.1:{sandbox_port}/", sandbox)
        wait_until_up(f"http://127.0.0.1:{gateway_port}/health", gateway)
        yield Paygate(f"http://127.0.0.1:{gateway_port}", f"http://127.0.0.1:{sandbox_port}", merchant)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
