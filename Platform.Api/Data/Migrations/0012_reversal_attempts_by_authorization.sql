-- The reversal attention rule (Authorizations/ReversalAttention.cs) groups every reversal attempt by authorization;
-- the health check and the gauge run it every few seconds. Without this index each run read all of card_operations
-- (68 ms per run on a benchmark database, and growing with every capture); with it, only the reversal attempts.
CREATE INDEX card_operations_reversals_idx ON core.card_operations (authorization_id, status) WHERE kind = 'reversal';
