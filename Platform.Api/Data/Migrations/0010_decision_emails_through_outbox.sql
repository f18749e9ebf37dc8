-- Decision e-mails go through the outbox (kind 'email.credit-decision', subject the decision, the recipient in the
-- payload) like every other piece of durable work, and core.email_requests goes. Requests still waiting on an existing
-- database move into the outbox in the same transaction, so none is lost or sent twice:
--   * 'requested' and not yet an e-mail: a pending item, due when the request was, its attempts carried over;
--   * 'failed' (attempts used up, waiting for an operator): a dead letter, listed in GET /v1/queues/outbox/dead-letters;
--   * already an e-mail (email_id set) or 'sent': nothing to move, that e-mail's own 'email.send' item delivers it.
INSERT INTO core.outbox (kind, subject_id, payload, status, attempts, next_attempt_at, last_error, created_at, completed_at)
SELECT 'email.credit-decision', r.decision_id, jsonb_build_object('recipient', r.recipient),
       CASE WHEN r.status = 'failed' THEN 'dead' ELSE 'pending' END,
       CASE WHEN r.status = 'failed' THEN r.attempts ELSE 0 END,
       coalesce(r.next_attempt_at, r.created_at), r.last_error, r.created_at,
       CASE WHEN r.status = 'failed' THEN now() END
FROM core.email_requests r
WHERE r.email_id IS NULL AND r.status IN ('requested', 'failed')
ORDER BY r.created_at;

DROP TABLE core.email_requests;
