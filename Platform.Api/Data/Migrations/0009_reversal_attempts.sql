-- A reversal is retried as a series of 'reversal' operations until the processor confirms one; the failed attempts
-- are what the operator queue, reconciliation and the needs-attention gauge look for, so find them without a scan.
CREATE INDEX card_operations_failed_reversals_idx ON core.card_operations (authorization_id) WHERE kind = 'reversal' AND status = 'failed';
