-- Trust, part 2: the do-not-call register with its history, campaigns' own suppression lists, and
-- the history an audit needs to rebuild what was in force (campaign settings, customers' flags).

-- The register keeps every period a number was on it: an entry is in force from added_at until
-- removed_at (never, while null). A removal closes the entry (who, when, why) instead of deleting
-- it, so the audit can still tell the number was on the register at a past time; a number added
-- again gets a new entry. At most one entry per number is in force.
ALTER TABLE dnc_numbers DROP CONSTRAINT dnc_numbers_pkey;
ALTER TABLE dnc_numbers ADD COLUMN id bigserial PRIMARY KEY;
-- Where the entry came from: 'api' (one number), 'file' (a CSV loaded through the API),
-- 'lead-stop' (a lead stopped with "do not call me"), 'import' (loaded outside the API).
ALTER TABLE dnc_numbers ADD COLUMN source text NOT NULL DEFAULT 'import'
  CHECK (source IN ('api', 'file', 'lead-stop', 'import'));
-- The file's request id (x-request-id, in the audit log), or 'campaign/<id>/lead/<id>' for a stop.
ALTER TABLE dnc_numbers ADD COLUMN source_ref text;
ALTER TABLE dnc_numbers ADD COLUMN added_by text;          -- 'alice (marketing)'
ALTER TABLE dnc_numbers ADD COLUMN removed_at timestamptz;
ALTER TABLE dnc_numbers ADD COLUMN removed_by text;
ALTER TABLE dnc_numbers ADD COLUMN removed_reason text;
ALTER TABLE dnc_numbers ADD CONSTRAINT dnc_numbers_removal_whole
  CHECK ((removed_at IS NULL) = (removed_by IS NULL) AND (removed_at IS NULL) = (removed_reason IS NULL));
CREATE UNIQUE INDEX dnc_numbers_in_force ON dnc_numbers (msisdn) WHERE removed_at IS NULL;
CREATE INDEX dnc_numbers_msisdn_idx ON dnc_numbers (msisdn, added_at);

-- A campaign's own suppression lists: named lists of numbers its marketing does not want called
-- (existing customers of a partner, staff, a pilot's control group). A number on any list a
-- campaign uses is left off its list pull and refused at the moment of dialing.
CREATE TABLE suppression_lists (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  created_by  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE suppression_numbers (
  list_id   text NOT NULL REFERENCES suppression_lists(id),
  msisdn    text NOT NULL,
  added_by  text NOT NULL,
  added_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (list_id, msisdn)
);
CREATE INDEX suppression_numbers_msisdn_idx ON suppression_numbers (msisdn);
-- The lists each campaign uses, as its definition names them (written with the campaign's row).
CREATE TABLE campaign_suppression_lists (
  campaign_id  text NOT NULL REFERENCES campaigns(id),
  list_id      text NOT NULL REFERENCES suppression_lists(id),
  PRIMARY KEY (campaign_id, list_id)
);
CREATE INDEX campaign_suppression_lists_list_idx ON campaign_suppression_lists (list_id);

-- Every version of a campaign's settings: version 1 is the definition it was launched with, each
-- change of settings (PATCH /campaigns/:id/settings or /dialing) the next, with the whole
-- definition then in force, the change, who made it and when. campaigns.definition stays the launch's.
CREATE TABLE campaign_settings_versions (
  campaign_id  text NOT NULL REFERENCES campaigns(id),
  version      integer NOT NULL CHECK (version >= 1),
  definition   jsonb NOT NULL,          -- the whole definition in force from this version on
  change       jsonb,                   -- what the change asked for (null for the launch)
  changed_by   jsonb,                   -- { sub, role } of the token, when known
  changed_at   timestamptz NOT NULL,
  change_id    text NOT NULL,           -- 'launch', or the workflow's update id: a retried write lands once
  PRIMARY KEY (campaign_id, version),
  UNIQUE (campaign_id, change_id)
);
INSERT INTO campaign_settings_versions (campaign_id, version, definition, change, changed_by, changed_at, change_id)
SELECT id, 1, definition, NULL, NULL, created_at, 'launch' FROM campaigns;

-- When a customer's do-not-call flag was set and cleared: one row per change, written by the
-- triggers below whatever changes the flag (an application, a batch, psql), so the audit can tell
-- whether the flag was set when a call was placed. Flags set before this history existed count
-- as set since ever ('-infinity'): nothing is known of when they were set.
CREATE TABLE customer_dnc_changes (
  id           bigserial PRIMARY KEY,
  customer_id  bigint NOT NULL,
  dnc          boolean NOT NULL,
  at           timestamptz NOT NULL DEFAULT clock_timestamp(),
  changed_by   text                     -- the session's app.actor setting, when the writer set one
);
CREATE INDEX customer_dnc_changes_customer_idx ON customer_dnc_changes (customer_id, at);
INSERT INTO customer_dnc_changes (customer_id, dnc, at, changed_by)
SELECT id, true, '-infinity', 'set before its changes were recorded' FROM customers WHERE dnc;

-- Statement-level, with the rows changed: one insert per statement, whatever its size (the
-- customer generator loads millions at once).
CREATE FUNCTION customer_dnc_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO customer_dnc_changes (customer_id, dnc, changed_by)
  SELECT n.id, true, nullif(current_setting('app.actor', true), '') FROM new_rows n WHERE n.dnc;
  RETURN NULL;
END $$;
CREATE TRIGGER customers_dnc_inserted AFTER INSERT ON customers
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION customer_dnc_inserted();

CREATE FUNCTION customer_dnc_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO customer_dnc_changes (customer_id, dnc, changed_by)
  SELECT n.id, n.dnc, nullif(current_setting('app.actor', true), '')
    FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.dnc IS DISTINCT FROM o.dnc;
  RETURN NULL;
END $$;
CREATE TRIGGER customers_dnc_updated AFTER UPDATE ON customers
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION customer_dnc_updated();
