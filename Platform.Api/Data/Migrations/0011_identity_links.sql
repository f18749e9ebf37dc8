-- The core tables that reference identity's users. They were the tail of 0006_identity.sql until identity's tables
-- moved to EF's migrations (Data/IdentitySchema/Migrations), which run before these scripts. On a database that
-- applied 0006 they exist already, and every statement here does nothing.

-- Which customer an application belongs to (null for applications made before sign-in existed).
ALTER TABLE core.applications ADD COLUMN IF NOT EXISTS owner_user_id text NULL REFERENCES identity."AspNetUsers" ("Id");
CREATE INDEX IF NOT EXISTS applications_owner_idx ON core.applications (owner_user_id);

-- Devices a customer has signed in from, to tell a new one (security alert) from a known one.
CREATE TABLE IF NOT EXISTS core.known_devices (
    user_id             text        NOT NULL REFERENCES identity."AspNetUsers" ("Id") ON DELETE CASCADE,
    device_hash         text        NOT NULL,
    first_seen_at       timestamptz NOT NULL,
    last_seen_at        timestamptz NOT NULL,
    PRIMARY KEY (user_id, device_hash)
);
