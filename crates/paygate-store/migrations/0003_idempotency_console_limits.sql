-- v3: Idempotency-Key replay, merchant console sessions, failed-authentication counters.

-- One row per (merchant, Idempotency-Key): the request's fingerprint and, once finished, the
-- answer to replay. Kept 24 hours.
CREATE TABLE idempotency_keys (
    merchant_code    TEXT NOT NULL,
    idem_key         TEXT NOT NULL,
    request_hash     TEXT NOT NULL,
    state            TEXT NOT NULL,
    response_status  BIGINT,
    response_body    TEXT,
    created_at       BIGINT NOT NULL,
    expires_at       BIGINT NOT NULL,
    PRIMARY KEY (merchant_code, idem_key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);

-- Merchant console sessions. The cookie carries the session id; only its hash is stored.
CREATE TABLE console_sessions (
    id_hash        TEXT PRIMARY KEY,
    merchant_code  TEXT NOT NULL REFERENCES merchants (merchant_code),
    csrf_token     TEXT NOT NULL,
    language       TEXT NOT NULL DEFAULT 'ko',
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL,
    last_seen_at   BIGINT NOT NULL
);
CREATE INDEX console_sessions_expiry ON console_sessions (expires_at);

-- Failed authentications per subject (an imp_key, a client address) per time window, shared
-- by every node: brute-forcing imp_secret is refused with 429 past a threshold.
CREATE TABLE auth_failures (
    subject       TEXT NOT NULL,
    window_start  BIGINT NOT NULL,
    failures      BIGINT NOT NULL,
    PRIMARY KEY (subject, window_start)
);
