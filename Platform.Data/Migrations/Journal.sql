-- The journal of one schema's SQL migrations: which versions ran and the checksum of the text that ran.
-- {journal_schema} is put in by the runner (a checked identifier); IF NOT EXISTS keeps journals made by the
-- earlier API-only runner (public.schema_migrations, the same columns) as they are.
CREATE SCHEMA IF NOT EXISTS {journal_schema};

CREATE TABLE IF NOT EXISTS {journal_schema}.schema_migrations (
    version     integer     PRIMARY KEY,
    name        text        NOT NULL,
    checksum    text        NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
);
