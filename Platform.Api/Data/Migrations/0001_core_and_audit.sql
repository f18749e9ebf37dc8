-- The two schemas every later feature builds on.
CREATE SCHEMA IF NOT EXISTS core;
CREATE SCHEMA IF NOT EXISTS audit;

-- The audit spine: append-only, hash-chained. "details" is json (not jsonb) on purpose: json keeps the exact
-- text that was hashed, so the chain can be recomputed from what is stored.
CREATE TABLE audit.events (
    sequence        bigint      PRIMARY KEY,
    event_id        uuid        NOT NULL UNIQUE,
    occurred_at     timestamptz NOT NULL,
    actor_type      text        NOT NULL CHECK (actor_type IN ('user', 'service', 'system')),
    actor_id        text        NOT NULL,
    event_type      text        NOT NULL,
    outcome         text        NOT NULL CHECK (outcome IN ('success', 'failure')),
    origin_ip       text        NULL,
    origin_service  text        NULL,
    resource_type   text        NULL,
    resource_id     text        NULL,
    details         json        NOT NULL,
    previous_hash   bytea       NOT NULL,
    hash            bytea       NOT NULL
);

CREATE INDEX events_occurred_at_idx ON audit.events (occurred_at);
CREATE INDEX events_resource_idx ON audit.events (resource_type, resource_id);

CREATE FUNCTION audit.refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit.events is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER events_append_only
    BEFORE UPDATE OR DELETE ON audit.events
    FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();

CREATE TRIGGER events_no_truncate
    BEFORE TRUNCATE ON audit.events
    FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change();
