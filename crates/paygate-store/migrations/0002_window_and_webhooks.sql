-- v2: how a checkout's window ends, and webhooks (transactional outbox).

-- 'overlay' when the SDK opened the window over the merchant's page: the approval return then
-- ends on the gateway's result page, which tells the SDK; otherwise at m_redirect_url.
ALTER TABLE payments ADD COLUMN window_mode TEXT;

-- The pg_token the approval was claimed with: if the claiming node dies before KakaoPay's
-- approve, reconciliation (after KakaoPay's order shows it was not approved) finishes the
-- approval with it. Single-use at KakaoPay, so it cannot approve twice.
ALTER TABLE payments ADD COLUMN pg_token TEXT;

-- When a REST cancel sends a webhook: 'flag' (only with enable_webhook=true) or 'always'.
ALTER TABLE merchants ADD COLUMN webhook_cancel_policy TEXT NOT NULL DEFAULT 'flag';

-- Secret rotation: the previous secret keeps signing (beside the new one) for a grace period,
-- so receivers can switch without losing deliveries.
ALTER TABLE merchants ADD COLUMN webhook_secret_previous TEXT;
ALTER TABLE merchants ADD COLUMN webhook_secret_rotated_at BIGINT NOT NULL DEFAULT 0;

-- One row per (event, target URL), written in the same transaction as the state change that
-- causes it. Workers claim due rows (a lease), deliver, and record each attempt.
CREATE TABLE webhook_deliveries (
    id               TEXT PRIMARY KEY,
    merchant_code    TEXT NOT NULL REFERENCES merchants (merchant_code),
    imp_uid          TEXT NOT NULL,
    event            TEXT NOT NULL,
    url              TEXT NOT NULL,
    content_type     TEXT NOT NULL,
    body             TEXT NOT NULL,
    status           TEXT NOT NULL,
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT NOT NULL,
    lease_until      BIGINT NOT NULL DEFAULT 0,
    lease_owner      TEXT,
    created_at       BIGINT NOT NULL,
    delivered_at     BIGINT NOT NULL DEFAULT 0,
    last_status_code BIGINT,
    last_error       TEXT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_by_payment ON webhook_deliveries (imp_uid, created_at);

CREATE TABLE webhook_attempts (
    delivery_id  TEXT NOT NULL REFERENCES webhook_deliveries (id),
    attempt      BIGINT NOT NULL,
    started_at   BIGINT NOT NULL,
    status_code  BIGINT,
    latency_ms   BIGINT NOT NULL,
    error        TEXT,
    PRIMARY KEY (delivery_id, attempt)
);
