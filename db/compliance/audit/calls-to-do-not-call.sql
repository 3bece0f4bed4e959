-- Calls placed to a number that was on the do-not-call register when the dialer took the call, or
-- to a customer flagged do-not-call: sales calls and follow-up calls alike. Expected: no rows
-- ('blocked' attempts were stopped before dialing).
-- The number is the one dialed, as the contact log keeps it (msisdn_hash, hashed when the call was
-- checked: the lead's number for a sales call, the customer's for a follow-up), not the customer's
-- number today; calls logged without a hash are matched by the lead's number, else the customer's.
-- A call is timed by when the dialer took it (started_at, the moment of its checks, for calls
-- logged before that was recorded): every hand-over to the dialer is checked first, so only a
-- registration during the dialer's own answer could show here.
WITH register AS (
  SELECT msisdn, added_at, left(encode(sha256(convert_to('msisdn:' || msisdn, 'UTF8')), 'hex'), 32) AS hash
    FROM dnc_numbers)
SELECT a.id AS call_id, a.purpose, a.campaign_id, a.customer_id, t.at AS dialed_at,
       d.added_at AS on_register_since, c.dnc AS customer_flag
  FROM call_attempts a
  LEFT JOIN leads l ON l.id = a.lead_id
  LEFT JOIN orders o ON o.id = a.order_id
  LEFT JOIN customers c ON c.id = COALESCE(a.customer_id, l.customer_id, o.customer_id)
  CROSS JOIN LATERAL (SELECT COALESCE(a.dialer_took_at, a.started_at) AS at,
                             COALESCE(a.msisdn_hash, left(encode(sha256(convert_to('msisdn:' || COALESCE(l.msisdn, c.msisdn), 'UTF8')), 'hex'), 32)) AS hash) t
  LEFT JOIN register d ON d.hash = t.hash AND d.added_at <= t.at
 WHERE a.disposition IS DISTINCT FROM 'blocked' AND a.disposition IS DISTINCT FROM 'not-placed'
   AND (d.msisdn IS NOT NULL OR c.dnc)
 ORDER BY t.at;
