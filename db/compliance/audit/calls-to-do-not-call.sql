-- Calls placed to a number that was on the do-not-call register when the call started, or to a
-- customer flagged do-not-call. Expected: no rows ('blocked' attempts were stopped before dialing).
SELECT a.id AS call_id, a.purpose, a.campaign_id, a.customer_id, a.started_at,
       d.added_at AS on_register_since, c.dnc AS customer_flag
  FROM call_attempts a
  JOIN customers c ON c.id = a.customer_id
  LEFT JOIN dnc_numbers d ON d.msisdn = c.msisdn AND d.added_at <= a.started_at
 WHERE a.disposition IS DISTINCT FROM 'blocked' AND a.disposition IS DISTINCT FROM 'not-placed'
   AND (d.msisdn IS NOT NULL OR c.dnc)
 ORDER BY a.started_at;
