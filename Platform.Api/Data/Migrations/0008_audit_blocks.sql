-- Appends no longer queue behind one global lock. An event is written inside its business transaction with a hash of
-- its own content (hash_version 2; earlier events keep their chained hash, version 1) and the id of the transaction
-- that wrote it. A sealer then chains committed events into hash-linked blocks, each with the Merkle root of its
-- events (as SQL Server's ledger tables and Certificate Transparency logs do). It orders events by (txid, sequence)
-- and seals only those written by transactions older than every running one (pg_snapshot_xmin), because sequence
-- numbers are handed out at insert, not at commit: an event with a lower number can still commit after a higher one.
CREATE SEQUENCE audit.event_sequence;
SELECT setval('audit.event_sequence', coalesce((SELECT max(sequence) FROM audit.events), 0) + 1, false);
ALTER TABLE audit.events ALTER COLUMN sequence SET DEFAULT nextval('audit.event_sequence');
ALTER SEQUENCE audit.event_sequence OWNED BY audit.events.sequence;

ALTER TABLE audit.events ADD COLUMN hash_version smallint NOT NULL DEFAULT 1;
ALTER TABLE audit.events ALTER COLUMN hash_version SET DEFAULT 2;
-- Existing events all get this migration's transaction id: older than any transaction to come, so they seal first,
-- in sequence order.
ALTER TABLE audit.events ADD COLUMN txid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX events_seal_order_idx ON audit.events (txid, sequence);

-- One row per sealed block: the events it covers are those from (first_txid, first_sequence) to (last_txid,
-- last_sequence) in seal order; hash covers the previous block's hash, the bounds, the count and the Merkle root.
CREATE TABLE audit.blocks (
    block_number    bigint      PRIMARY KEY,
    first_txid      xid8        NOT NULL,
    first_sequence  bigint      NOT NULL,
    last_txid       xid8        NOT NULL,
    last_sequence   bigint      NOT NULL,
    event_count     int         NOT NULL CHECK (event_count > 0),
    merkle_root     bytea       NOT NULL,
    previous_hash   bytea       NOT NULL,
    hash            bytea       NOT NULL,
    sealed_at       timestamptz NOT NULL
);

CREATE TRIGGER blocks_append_only
    BEFORE UPDATE OR DELETE ON audit.blocks
    FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();

CREATE TRIGGER blocks_no_truncate
    BEFORE TRUNCATE ON audit.blocks
    FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change();
