-- Monthly statements: one row per (account, period) holding the totals and the rendered PDF, which is the
-- document of record the customer received (re-rendering later could differ if the layout changes).

-- The day of the month a statement period starts and the previous one closes. NULL follows the configured
-- default (Statements:CycleDay). 1..28 so that every month has the day.
ALTER TABLE core.accounts ADD COLUMN statement_cycle_day smallint NULL CHECK (statement_cycle_day BETWEEN 1 AND 28);

CREATE TABLE core.statements (
    statement_id        uuid        PRIMARY KEY,
    account_id          uuid        NOT NULL REFERENCES core.accounts,
    -- 'YYYY-MM': the month the period's cycle starts in; what customers and the API call it.
    period              char(7)     NOT NULL CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
    -- [period_start, period_end): postings created in this window are on the statement. Each statement starts
    -- where the account's previous one ended, so no posting is ever on two statements or on none.
    period_start        timestamptz NOT NULL,
    period_end          timestamptz NOT NULL CHECK (period_end > period_start),
    currency            char(3)     NOT NULL,
    previous_balance    bigint      NOT NULL,
    -- Credits are stored as positive magnitudes; new_balance = previous + purchases - refunds - payments + fees + interest.
    payments            bigint      NOT NULL CHECK (payments >= 0),
    purchases           bigint      NOT NULL CHECK (purchases >= 0),
    refunds             bigint      NOT NULL CHECK (refunds >= 0),
    fees                bigint      NOT NULL CHECK (fees >= 0),
    interest            bigint      NOT NULL CHECK (interest >= 0),
    new_balance         bigint      NOT NULL CHECK (new_balance = previous_balance + purchases - refunds - payments + fees + interest),
    minimum_payment     bigint      NOT NULL CHECK (minimum_payment >= 0),
    due_date            date        NOT NULL,
    transaction_count   int         NOT NULL CHECK (transaction_count >= 0),
    pdf                 bytea       NOT NULL,
    -- The e-mail request made in the same transaction; NULL when the account had no contact to send to.
    email_id            uuid        NULL,
    created_at          timestamptz NOT NULL,
    -- Cycling the same period twice (a second pass, a second replica) can never store a second statement.
    CONSTRAINT statements_account_period_key UNIQUE (account_id, period)
);
-- The cycle worker's "is this account's next statement possibly due" probe and the newest-first listing.
CREATE INDEX statements_account_end_idx ON core.statements (account_id, period_end DESC);
