-- Accounts, cards, authorizations, the operations that move money, the ledger they post to, and the durable
-- plumbing around them (outbox, idempotency keys, processed webhooks). Money is bigint minor units + ISO 4217 code.

CREATE TABLE core.accounts (
    account_id          uuid        PRIMARY KEY,
    -- Who the account belongs to (the identity issue links it to a customer); free text until then.
    owner_reference     text        NULL,
    currency            char(3)     NOT NULL,
    credit_limit        bigint      NOT NULL CHECK (credit_limit >= 0),
    -- Running sums of the ledger's two balance kinds, kept in the same transaction as every posting so the
    -- available-credit check is one row update; the reconciliation recomputes them from the postings.
    held_amount         bigint      NOT NULL DEFAULT 0 CHECK (held_amount >= 0),
    posted_balance      bigint      NOT NULL DEFAULT 0,
    status              text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'frozen', 'closed')),
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL
);

CREATE TABLE core.cards (
    card_id             uuid        PRIMARY KEY,
    account_id          uuid        NOT NULL REFERENCES core.accounts,
    card_type           text        NOT NULL CHECK (card_type IN ('virtual', 'physical')),
    cardholder_name     text        NOT NULL,
    -- requested: waiting for the outbox to reach the processor; then the processor's own states.
    status              text        NOT NULL CHECK (status IN ('requested', 'pending', 'shipped', 'active', 'failed', 'closed')),
    -- The processor's token, last four digits and expiry: never the full number or the CVV.
    processor_card_token text       NULL UNIQUE,
    last4               char(4)     NULL,
    expiry_month        int         NULL,
    expiry_year         int         NULL,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL
);
CREATE INDEX cards_account_idx ON core.cards (account_id);

CREATE TABLE core.authorizations (
    authorization_id    uuid        PRIMARY KEY,
    account_id          uuid        NOT NULL REFERENCES core.accounts,
    card_id             uuid        NOT NULL REFERENCES core.cards,
    amount              bigint      NOT NULL CHECK (amount > 0),
    currency            char(3)     NOT NULL,
    merchant_name       text        NOT NULL,
    merchant_mcc        char(4)     NOT NULL,
    merchant_country    char(2)     NOT NULL,
    -- pending: credit reserved, processor not answered yet. approved/declined: decided. voided, expired: hold gone.
    status              text        NOT NULL CHECK (status IN ('pending', 'approved', 'declined', 'voided', 'expired')),
    approved_amount     bigint      NOT NULL DEFAULT 0,
    -- What is still reserved on the account for this authorization.
    held_amount         bigint      NOT NULL DEFAULT 0 CHECK (held_amount >= 0),
    captured_amount     bigint      NOT NULL DEFAULT 0,
    response_code       text        NULL,
    decline_reason      text        NULL,
    fraud_check         text        NULL,
    fraud_action        text        NULL,
    fraud_score         int         NULL,
    processor_authorization_id text NULL UNIQUE,
    idempotency_key     text        NOT NULL,
    created_at          timestamptz NOT NULL,
    decided_at          timestamptz NULL,
    expires_at          timestamptz NULL
);
CREATE INDEX authorizations_account_idx ON core.authorizations (account_id, created_at);
CREATE INDEX authorizations_open_holds_idx ON core.authorizations (expires_at) WHERE held_amount > 0;
CREATE INDEX authorizations_pending_idx ON core.authorizations (created_at) WHERE status = 'pending';

-- Capture, refund, void and timeout reversal: recorded when asked for, delivered by the outbox, settled by webhook.
CREATE TABLE core.card_operations (
    operation_id        uuid        PRIMARY KEY,
    authorization_id    uuid        NOT NULL REFERENCES core.authorizations,
    account_id          uuid        NOT NULL REFERENCES core.accounts,
    kind                text        NOT NULL CHECK (kind IN ('capture', 'refund', 'void', 'reversal')),
    amount              bigint      NOT NULL CHECK (amount >= 0),
    currency            char(3)     NOT NULL,
    -- For a refund: the capture (the posted purchase) it gives money back on.
    refunded_operation_id uuid      NULL REFERENCES core.card_operations,
    status              text        NOT NULL CHECK (status IN ('requested', 'submitted', 'succeeded', 'failed')),
    processor_operation_id text     NULL UNIQUE,
    failure_reason      text        NULL,
    created_at          timestamptz NOT NULL,
    submitted_at        timestamptz NULL,
    completed_at        timestamptz NULL
);
CREATE INDEX card_operations_authorization_idx ON core.card_operations (authorization_id);
CREATE INDEX card_operations_refunded_idx ON core.card_operations (refunded_operation_id) WHERE refunded_operation_id IS NOT NULL;

-- Every money movement. 'held' postings move held_amount, 'posted' postings move posted_balance; the account's
-- columns are their sums.
CREATE TABLE core.ledger_postings (
    posting_id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id          uuid        NOT NULL REFERENCES core.accounts,
    entry_type          text        NOT NULL CHECK (entry_type IN ('hold', 'hold_release', 'purchase', 'refund')),
    balance_type        text        NOT NULL CHECK (balance_type IN ('held', 'posted')),
    amount              bigint      NOT NULL,
    currency            char(3)     NOT NULL,
    authorization_id    uuid        NULL REFERENCES core.authorizations,
    operation_id        uuid        NULL REFERENCES core.card_operations,
    description         text        NOT NULL,
    created_at          timestamptz NOT NULL
);
CREATE INDEX ledger_postings_account_idx ON core.ledger_postings (account_id, posting_id);

-- Durable work for the processor (and later e-mail): written in the business transaction, claimed by one worker
-- at a time with a lease, retried with backoff until acknowledged.
CREATE TABLE core.outbox (
    outbox_id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind                text        NOT NULL,
    subject_id          uuid        NOT NULL,
    payload             jsonb       NOT NULL DEFAULT '{}',
    status              text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'dead')),
    attempts            int         NOT NULL DEFAULT 0,
    next_attempt_at     timestamptz NOT NULL,
    claimed_until       timestamptz NULL,
    last_error          text        NULL,
    created_at          timestamptz NOT NULL,
    completed_at        timestamptz NULL
);
CREATE INDEX outbox_due_idx ON core.outbox (next_attempt_at) WHERE status = 'pending';

CREATE TABLE core.idempotency_keys (
    scope               text        NOT NULL,
    idempotency_key     text        NOT NULL,
    request_hash        text        NOT NULL,
    -- 0 while the first request is still being worked on.
    status_code         int         NOT NULL,
    response            jsonb       NULL,
    created_at          timestamptz NOT NULL,
    PRIMARY KEY (scope, idempotency_key)
);

CREATE TABLE core.processed_webhooks (
    webhook_id          text        PRIMARY KEY,
    event_type          text        NOT NULL,
    received_at         timestamptz NOT NULL
);
