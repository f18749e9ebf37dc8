-- processor-sim's own tables, in its own schema: the API's migrations own core and audit, and the simulator
-- depends on nothing of theirs. Every statement is IF NOT EXISTS, as the start-up DDL this replaces was: on a
-- database whose processor_sim tables that code already made, this script changes nothing and is only journalled.
create schema if not exists processor_sim;
create table if not exists processor_sim.idempotency_keys (
    scope text not null,
    key text not null,
    request_hash text not null,
    status_code int not null,
    response jsonb not null,
    created_at timestamptz not null default now(),
    primary key (scope, key));
create table if not exists processor_sim.cards (
    card_token text primary key,
    type text not null,
    status text not null,
    last4 text not null,
    expiry_month int not null,
    expiry_year int not null,
    cardholder_name text not null,
    reference text,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now());
create table if not exists processor_sim.authorizations (
    authorization_id text primary key,
    card_token text not null,
    amount bigint not null,
    currency text not null,
    merchant_name text not null,
    merchant_mcc text not null,
    merchant_country text not null,
    approved boolean not null,
    response_code text not null,
    approved_amount bigint not null,
    captured_amount bigint not null default 0,
    refunded_amount bigint not null default 0,
    status text not null,
    created_at timestamptz not null default now());
create index if not exists authorizations_created on processor_sim.authorizations (created_at);
create index if not exists authorizations_card on processor_sim.authorizations (card_token);
create table if not exists processor_sim.operations (
    operation_id text primary key,
    kind text not null,
    authorization_id text,
    card_token text,
    amount bigint,
    currency text,
    status text not null,
    failure_reason text,
    due_at timestamptz not null,
    created_at timestamptz not null default now(),
    completed_at timestamptz);
create index if not exists operations_due on processor_sim.operations (due_at) where status = 'pending';
create index if not exists operations_authorization on processor_sim.operations (authorization_id);
create table if not exists processor_sim.webhooks (
    webhook_id text primary key,
    event_type text not null,
    payload jsonb not null,
    status text not null,
    attempts int not null default 0,
    next_attempt_at timestamptz not null,
    claimed_until timestamptz,
    last_status_code int,
    last_error text,
    created_at timestamptz not null default now(),
    delivered_at timestamptz);
create index if not exists webhooks_due on processor_sim.webhooks (next_attempt_at) where status = 'pending';
create table if not exists processor_sim.webhook_endpoint (
    id int primary key check (id = 1),
    url text not null,
    updated_at timestamptz not null default now());

