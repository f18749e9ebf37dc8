-- The journal exactly as the API-only runner (before Platform.Data/Migrations) created it.
CREATE TABLE IF NOT EXISTS public.schema_migrations (
    version     integer     PRIMARY KEY,
    name        text        NOT NULL,
    checksum    text        NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
)
