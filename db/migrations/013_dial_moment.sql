-- Compliance without gaps (issue 13): the moment of dialing, follow-ups as calls, owned services.
--
-- dialer_took_at (011) is now the dialer's own time of taking the call (its answer's `queuedAt`,
-- sim/README.md), else the time of its answer; the audit times a call by it (started_at for rows
-- from before). Every hand-over to the dialer is checked again first: only a call it already took
-- is not (a repeat is a re-attach by call id).

-- A follow-up call that offers something (the order policy's followUpOffer) is a marketing call:
-- checked against the contact cap and counted by it, like a sales call.
ALTER TABLE call_attempts ADD COLUMN offers boolean NOT NULL DEFAULT false;

-- "Already owns the offer" sees what this system sold: an activation adds the offer's code to
-- customers.services and a deactivation removes it, each with the order's event. Set when this
-- order's activation added the code (a customer who owned it before keeps it when the order is undone).
ALTER TABLE orders ADD COLUMN service_added boolean NOT NULL DEFAULT false;
