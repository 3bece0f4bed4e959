-- Erasure, the customer's right to be forgotten (POST /customers/:id/erasure, docs/security.md):
-- the customer's number, name and address are replaced by tombstones in every table; what the law
-- needs as evidence stays, hashed: the contact log's number hash (call_attempts.msisdn_hash) and
-- the do-not-call register's entries, which keep their number's hash (below) once the number is gone.
ALTER TABLE customers ADD COLUMN erased_at timestamptz;

-- What the courier said when it refused a booking, whole (it may name the address): kept here, not
-- in Temporal, where the order's failure carries it with the address taken out.
ALTER TABLE deliveries ADD COLUMN refusal text;

-- The register's numbers hashed as the contact log hashes them (hashMsisdn): an erased entry
-- keeps only this, and still refuses that number at the moment of dialing.
ALTER TABLE dnc_numbers ADD COLUMN msisdn_hash text;
UPDATE dnc_numbers SET msisdn_hash = left(encode(sha256(convert_to('msisdn:' || msisdn, 'UTF8')), 'hex'), 32);
ALTER TABLE dnc_numbers ALTER COLUMN msisdn_hash SET NOT NULL;
CREATE FUNCTION dnc_number_hash() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- an erased entry's number is its hash already ('erased:<hash>'): the hash stays as it was
  IF NEW.msisdn NOT LIKE 'erased:%' THEN
    NEW.msisdn_hash := left(encode(sha256(convert_to('msisdn:' || NEW.msisdn, 'UTF8')), 'hex'), 32);
  ELSIF TG_OP = 'INSERT' THEN
    RAISE EXCEPTION 'an erased number (%) is not added to the register: its entry is there by hash', NEW.msisdn;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER dnc_numbers_hash BEFORE INSERT OR UPDATE OF msisdn ON dnc_numbers
  FOR EACH ROW EXECUTE FUNCTION dnc_number_hash();
CREATE INDEX dnc_numbers_hash_in_force ON dnc_numbers (msisdn_hash) WHERE removed_at IS NULL;

-- One row per erased customer: when, by whom, why, and what was changed (counts per table). No
-- personal data: the customer is named by id.
CREATE TABLE erasures (
  customer_id bigint PRIMARY KEY,
  erased_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
  erased_by   jsonb NOT NULL,
  reason      text NOT NULL,
  changed     jsonb NOT NULL
);
