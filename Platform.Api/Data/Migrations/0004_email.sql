-- E-mail: every e-mail requested (template, typed model as JSON, recipients), its attachments, its delivery state;
-- per-account alert rules; and the link from underwriting's decision e-mail requests to the e-mail that answers them.

CREATE TABLE core.emails (
    email_id                uuid        PRIMARY KEY,
    template                text        NOT NULL,
    -- The template's typed model (see Email/EmailModels.cs); rendered at send time.
    model                   jsonb       NOT NULL,
    recipients              text[]      NOT NULL CHECK (cardinality(recipients) BETWEEN 1 AND 50),
    configuration_set       text        NULL,
    -- A caller's idempotency key ("statement:{account}:{period}"): a second request with it returns the first e-mail.
    deduplication_key       text        NULL UNIQUE,
    status                  text        NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent')),
    provider_message_id     text        NULL,
    -- Where the sender put it (the console sink's folder).
    location                text        NULL,
    created_at              timestamptz NOT NULL,
    sent_at                 timestamptz NULL
);

-- Kept out of the outbox payload: a statement PDF is far larger than a work item should be.
CREATE TABLE core.email_attachments (
    email_id                uuid        NOT NULL REFERENCES core.emails ON DELETE CASCADE,
    position                int         NOT NULL,
    file_name               text        NOT NULL,
    content_type            text        NOT NULL,
    content                 bytea       NOT NULL,
    PRIMARY KEY (email_id, position)
);

-- Overrides of the configured defaults (Email:Alerts) for one account. No row: the defaults apply.
CREATE TABLE core.alert_rules (
    account_id              uuid        PRIMARY KEY REFERENCES core.accounts,
    -- Minor units in the account's currency: an approved purchase at or above it is mailed.
    large_purchase_threshold bigint     NOT NULL CHECK (large_purchase_threshold > 0),
    fraud_decline_alerts    boolean     NOT NULL,
    updated_at              timestamptz NOT NULL
);

-- The decision mailer turns a request into an e-mail (email_id) in one transaction; the request is 'sent' when that
-- e-mail is. A request that cannot be turned into an e-mail waits (next_attempt_at) and, after enough tries, is 'failed'.
ALTER TABLE core.email_requests
    ADD COLUMN email_id        uuid        NULL UNIQUE REFERENCES core.emails,
    ADD COLUMN attempts        int         NOT NULL DEFAULT 0,
    ADD COLUMN next_attempt_at timestamptz NULL,
    ADD COLUMN last_error      text        NULL;
