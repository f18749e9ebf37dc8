-- Underwriting: applications (PII sealed), bureau pulls, credit decisions, prequalifications and the decision
-- e-mail requests the e-mail feature sends.

CREATE TABLE core.applications (
    application_id          uuid        PRIMARY KEY,
    -- HMAC-SHA256 of the normalized SSN under a configured key: finds a returning applicant without the SSN.
    applicant_digest        bytea       NOT NULL,
    first_name              text        NOT NULL,
    last_name               text        NOT NULL,
    -- AES-256-GCM (nonce | tag | ciphertext), bound to this row and field; pii_key_id names the key, so keys rotate.
    ssn_sealed              bytea       NOT NULL,
    date_of_birth_sealed    bytea       NOT NULL,
    pii_key_id              text        NOT NULL,
    ssn_last4               char(4)     NOT NULL,
    address_line1           text        NOT NULL,
    address_line2           text        NULL,
    address_city            text        NOT NULL,
    address_state           char(2)     NOT NULL,
    address_postal_code     text        NOT NULL,
    email                   text        NOT NULL,
    phone                   text        NOT NULL,
    annual_income           bigint      NOT NULL CHECK (annual_income >= 0),
    monthly_housing_cost    bigint      NOT NULL CHECK (monthly_housing_cost >= 0),
    currency                char(3)     NOT NULL,
    -- received: taken in, not decided yet. pending_review: waiting for the bureau (retried) or for a person.
    status                  text        NOT NULL CHECK (status IN ('received', 'approved', 'declined', 'pending_review')),
    latest_decision_id      uuid        NULL,
    account_id              uuid        NULL REFERENCES core.accounts,
    card_id                 uuid        NULL REFERENCES core.cards,
    -- The retry worker's queue: due when next_attempt_at has passed and nobody holds the lease (claimed_until).
    next_attempt_at         timestamptz NULL,
    claimed_until           timestamptz NULL,
    attempts                int         NOT NULL DEFAULT 0,
    client_ip               text        NULL,
    created_at              timestamptz NOT NULL,
    updated_at              timestamptz NOT NULL
);
CREATE INDEX applications_applicant_idx ON core.applications (applicant_digest, created_at DESC);
CREATE INDEX applications_due_idx ON core.applications (next_attempt_at) WHERE next_attempt_at IS NOT NULL;

-- Every pull, soft or hard, answered or not, with the permissible purpose it was made under (FCRA §604).
CREATE TABLE core.bureau_pulls (
    pull_id                 uuid        PRIMARY KEY,
    application_id          uuid        NULL REFERENCES core.applications,
    prequalification_id     uuid        NULL,
    inquiry_type            text        NOT NULL CHECK (inquiry_type IN ('soft', 'hard')),
    permissible_purpose     text        NOT NULL,
    bureau                  text        NOT NULL,
    outcome                 text        NOT NULL CHECK (outcome IN ('answered', 'unavailable')),
    unavailable_cause       text        NULL,
    report_id               text        NULL,
    score                   int         NULL,
    score_model             text        NULL,
    factors                 jsonb       NULL,
    flags                   jsonb       NULL,
    tradelines              jsonb       NULL,
    report_generated_at     timestamptz NULL,
    requested_at            timestamptz NOT NULL,
    CHECK ((application_id IS NULL) <> (prequalification_id IS NULL))
);
CREATE INDEX bureau_pulls_application_idx ON core.bureau_pulls (application_id) WHERE application_id IS NOT NULL;

CREATE TABLE core.credit_decisions (
    decision_id             uuid        PRIMARY KEY,
    application_id          uuid        NOT NULL REFERENCES core.applications,
    outcome                 text        NOT NULL CHECK (outcome IN ('approved', 'declined', 'pending_review')),
    policy_version          text        NOT NULL,
    credit_limit            bigint      NULL,
    apr                     numeric(6, 4) NULL,
    currency                char(3)     NOT NULL,
    -- Up to four {code, text}, most important first: what an adverse-action notice prints.
    reasons                 jsonb       NOT NULL,
    -- The score used (value, range, model, source, report, date, key factors), null when no report was obtained.
    score_disclosure        jsonb       NULL,
    inputs                  jsonb       NOT NULL,
    bureau_pull_id          uuid        NULL REFERENCES core.bureau_pulls,
    decided_by              text        NOT NULL,
    decided_at              timestamptz NOT NULL
);
CREATE INDEX credit_decisions_application_idx ON core.credit_decisions (application_id, decided_at);

CREATE TABLE core.prequalifications (
    prequalification_id     uuid        PRIMARY KEY,
    applicant_digest        bytea       NOT NULL,
    outcome                 text        NOT NULL CHECK (outcome IN ('offer', 'no_offer')),
    policy_version          text        NOT NULL,
    offer                   jsonb       NULL,
    reasons                 jsonb       NOT NULL,
    created_at              timestamptz NOT NULL
);

-- The e-mail feature's inbox for credit decisions: it renders template 'credit-decision' from the decision and marks
-- the row sent. Written in the decision's transaction, so every decision has exactly one request.
CREATE TABLE core.email_requests (
    email_request_id        uuid        PRIMARY KEY,
    template                text        NOT NULL,
    recipient               text        NOT NULL,
    application_id          uuid        NOT NULL REFERENCES core.applications,
    decision_id             uuid        NOT NULL UNIQUE REFERENCES core.credit_decisions,
    status                  text        NOT NULL DEFAULT 'requested' CHECK (status IN ('requested', 'sent', 'failed')),
    created_at              timestamptz NOT NULL,
    sent_at                 timestamptz NULL
);
CREATE INDEX email_requests_pending_idx ON core.email_requests (created_at) WHERE status = 'requested';
