-- Who did what through the API: every write a person makes (a bearer token's subject, in the
-- role it acted in). Two rows per request, both appended: 'requested' before the route does
-- anything (a write that cannot be recorded is not done), 'answered' with the status it got.
-- A request with no answer row was cut off (the API died): its outcome is unknown, and says so.
CREATE TABLE audit_log (
  id          bigserial PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT clock_timestamp(),
  request_id  text NOT NULL,
  phase       text NOT NULL CHECK (phase IN ('requested', 'answered')),
  actor_sub   text NOT NULL,
  actor_role  text NOT NULL,
  method      text NOT NULL,
  route       text NOT NULL,            -- the route's pattern, e.g. /campaigns/:id/cancel
  targets     text[] NOT NULL,          -- the ids the request names (its path), and what it created
  status      integer,                  -- answered: the HTTP status
  outcome     text,                     -- answered: ok, refused (4xx) or failed (5xx), with the reason
  UNIQUE (request_id, phase)
);
CREATE INDEX audit_log_at_idx ON audit_log (at);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_sub, at);
CREATE INDEX audit_log_targets_idx ON audit_log USING gin (targets);

-- Append-only: no row is changed or removed through these triggers. The table's owner (whoever
-- runs the migrations) could still drop or disable them: a deployment runs the API as a role
-- granted only INSERT and SELECT on this table (docs/security.md).
CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();
