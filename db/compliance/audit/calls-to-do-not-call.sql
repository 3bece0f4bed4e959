-- Calls placed to a number that was on the do-not-call register when the dialer took the call, or
-- to a customer whose do-not-call flag was set then: sales calls and follow-up calls alike.
-- Expected: no rows ('blocked' attempts were stopped before dialing).
-- The number is the one dialed, as the contact log keeps it (msisdn_hash, hashed when the call was
-- checked: the lead's number for a sales call, the customer's for a follow-up), not the customer's
-- number today; calls logged without a hash are matched by the lead's number, else the customer's.
-- A call is timed by when the dialer took it (started_at, the moment of its checks, for calls
-- logged before that was recorded): every hand-over to the dialer is checked first, so only a
-- registration during the dialer's own answer could show here.
-- The register keeps removed entries (removed_at): a number taken off it later was still on it for
-- the calls of its period, and an erased customer's entries keep their number's hash
-- (db/migrations/016_erasure.sql). A flag's changes are in customer_dnc_changes (a flag set before they
-- were recorded counts as set since ever).
WITH register AS (
  SELECT added_at, removed_at, msisdn_hash AS hash FROM dnc_numbers)
SELECT a.id AS call_id, a.purpose, a.campaign_id, a.customer_id, t.at AS dialed_at,
       d.added_at AS on_register_since, d.removed_at AS on_register_until, f.at AS flag_set_at
  FROM call_attempts a
  LEFT JOIN leads l ON l.id = a.lead_id
  LEFT JOIN orders o ON o.id = a.order_id
  LEFT JOIN customers c ON c.id = COALESCE(a.customer_id, l.customer_id, o.customer_id)
  CROSS JOIN LATERAL (SELECT COALESCE(a.dialer_took_at, a.started_at) AS at,
                             COALESCE(a.msisdn_hash, left(encode(sha256(convert_to('msisdn:' || COALESCE(l.msisdn, c.msisdn), 'UTF8')), 'hex'), 32)) AS hash) t
  LEFT JOIN LATERAL (
    SELECT d.added_at, d.removed_at FROM register d
     WHERE d.hash = t.hash AND d.added_at <= t.at AND (d.removed_at IS NULL OR d.removed_at > t.at)
     ORDER BY d.added_at DESC LIMIT 1) d ON true
  LEFT JOIN LATERAL (
    SELECT h.dnc, h.at FROM customer_dnc_changes h
     WHERE h.customer_id = c.id AND h.at <= t.at
     ORDER BY h.at DESC, h.id DESC LIMIT 1) f ON f.dnc
 WHERE a.disposition IS DISTINCT FROM 'blocked' AND a.disposition IS DISTINCT FROM 'not-placed'
   AND (d.added_at IS NOT NULL OR f.at IS NOT NULL)
 ORDER BY t.at;
