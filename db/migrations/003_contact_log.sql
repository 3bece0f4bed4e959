-- call_attempts is the contact log, the compliance evidence: who was called (customer, hashed
-- number), and the checks that allowed the call at the moment it was placed.
ALTER TABLE call_attempts ADD COLUMN customer_id bigint;
ALTER TABLE call_attempts ADD COLUMN msisdn_hash text;
ALTER TABLE call_attempts ADD COLUMN checks jsonb;
CREATE INDEX call_attempts_customer_idx ON call_attempts(customer_id, started_at);

-- A lead stopped by a person (the customer complained, say): never called again in this campaign.
ALTER TABLE leads ADD COLUMN stop_reason text;
