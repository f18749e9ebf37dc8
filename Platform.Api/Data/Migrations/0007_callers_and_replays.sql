-- Idempotent answers are kept as the bytes first sent: a replay must return exactly them, and jsonb would reorder
-- keys and re-space the text.
ALTER TABLE core.idempotency_keys ALTER COLUMN response TYPE text USING response::text;

-- Authorization keys are scoped to the caller (two customers may pick the same key); the scope the authorization was
-- claimed under is kept with it, so the sweep that settles an abandoned one completes the caller's key.
ALTER TABLE core.authorizations ADD COLUMN idempotency_scope text NOT NULL DEFAULT 'authorize';
