-- paygate schema v1. BIGINT and TEXT only, so SQLite and PostgreSQL share this text.
-- Times are unix seconds (0 = not applicable), money is integer won.

CREATE TABLE merchants (
    merchant_code        TEXT PRIMARY KEY,
    name                 TEXT NOT NULL,
    imp_key              TEXT NOT NULL UNIQUE,
    imp_secret_hash      TEXT NOT NULL,
    kakaopay_cid         TEXT,
    kakaopay_secret_key  TEXT,
    notice_url           TEXT,
    webhook_format       TEXT NOT NULL DEFAULT 'json',
    webhook_secret       TEXT,
    created_at           BIGINT NOT NULL
);

-- Access tokens. Kept in clear because getToken must hand the same token back while it
-- lives (I'mport's rule); they expire after 30 minutes and are pruned.
CREATE TABLE api_tokens (
    token          TEXT PRIMARY KEY,
    imp_key        TEXT NOT NULL,
    merchant_code  TEXT NOT NULL REFERENCES merchants (merchant_code),
    issued_at      BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL
);
CREATE INDEX api_tokens_by_key ON api_tokens (imp_key, expires_at);

CREATE TABLE payments (
    imp_uid              TEXT PRIMARY KEY,
    merchant_code        TEXT NOT NULL REFERENCES merchants (merchant_code),
    merchant_uid         TEXT NOT NULL,
    status               TEXT NOT NULL,
    version              BIGINT NOT NULL,
    pay_method           TEXT NOT NULL,
    channel              TEXT NOT NULL,
    pg_provider          TEXT NOT NULL,
    pg_tid               TEXT,
    pg_id                TEXT,
    pg_user_id           TEXT,
    sandbox              BIGINT NOT NULL,
    apply_num            TEXT,
    card_code            TEXT,
    card_name            TEXT,
    card_issuer_code     TEXT,
    card_issuer_name     TEXT,
    card_publisher_code  TEXT,
    card_publisher_name  TEXT,
    card_quota           BIGINT NOT NULL DEFAULT 0,
    card_number          TEXT,
    card_type            BIGINT,
    name                 TEXT,
    amount               BIGINT NOT NULL,
    tax_free             BIGINT NOT NULL,
    vat_amount           BIGINT,
    cancel_amount        BIGINT NOT NULL DEFAULT 0,
    cancel_tax_free      BIGINT NOT NULL DEFAULT 0,
    cancel_pending       BIGINT NOT NULL DEFAULT 0,
    currency             TEXT NOT NULL,
    buyer_name           TEXT,
    buyer_email          TEXT,
    buyer_tel            TEXT,
    buyer_addr           TEXT,
    buyer_postcode       TEXT,
    custom_data          TEXT,
    user_agent           TEXT,
    started_at           BIGINT NOT NULL,
    paid_at              BIGINT NOT NULL DEFAULT 0,
    failed_at            BIGINT NOT NULL DEFAULT 0,
    cancelled_at         BIGINT NOT NULL DEFAULT 0,
    updated_at           BIGINT NOT NULL,
    fail_reason          TEXT,
    cancel_reason        TEXT,
    receipt_url          TEXT,
    notice_url           TEXT,
    m_redirect_url       TEXT,
    app_scheme           TEXT,
    language             TEXT,
    CHECK (amount >= 0 AND cancel_amount >= 0 AND cancel_amount <= amount),
    CHECK (cancel_pending >= 0 AND cancel_amount + cancel_pending <= amount),
    CHECK (tax_free >= 0 AND tax_free <= amount AND cancel_tax_free <= tax_free)
);
CREATE INDEX payments_by_merchant_uid ON payments (merchant_code, merchant_uid, started_at);
CREATE INDEX payments_by_started ON payments (merchant_code, started_at);
CREATE INDEX payments_by_paid ON payments (merchant_code, paid_at);
CREATE INDEX payments_by_cancelled ON payments (merchant_code, cancelled_at);
CREATE INDEX payments_by_failed ON payments (merchant_code, failed_at);
CREATE INDEX payments_unsettled ON payments (status, started_at);
CREATE INDEX payments_cancel_pending ON payments (updated_at) WHERE cancel_pending > 0;
-- A merchant_uid is charged at most once: at most one payment of it may be approving, paid
-- or cancelled. The approval claim is refused by this index, before the PG is called.
CREATE UNIQUE INDEX payments_one_charge_per_order ON payments (merchant_code, merchant_uid)
    WHERE status IN ('approving', 'paid', 'cancelled');

CREATE TABLE payment_cancels (
    cancellation_id  TEXT PRIMARY KEY,
    imp_uid          TEXT NOT NULL REFERENCES payments (imp_uid),
    seq              BIGINT NOT NULL,
    pg_tid           TEXT,
    pg_action_id     TEXT,
    amount           BIGINT NOT NULL,
    tax_free         BIGINT NOT NULL,
    vat_amount       BIGINT,
    reason           TEXT,
    cancelled_at     BIGINT NOT NULL,
    receipt_url      TEXT,
    UNIQUE (imp_uid, seq)
);

CREATE TABLE prepares (
    merchant_code  TEXT NOT NULL REFERENCES merchants (merchant_code),
    merchant_uid   TEXT NOT NULL,
    amount         BIGINT NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    PRIMARY KEY (merchant_code, merchant_uid)
);
