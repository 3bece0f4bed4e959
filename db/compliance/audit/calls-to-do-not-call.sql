-- Calls placed to a number that was on the do-not-call register when the call started, or to a
-- customer whose do-not-call flag was set then. Expected: no rows ('blocked' attempts were stopped
-- before dialing). The register keeps removed entries (removed_at): a number taken off it later
-- was still on it for the calls of its period. A flag's changes are in customer_dnc_changes (a
-- flag set before they were recorded counts as set since ever).
SELECT a.id AS call_id, a.purpose, a.campaign_id, a.customer_id, a.started_at,
       d.added_at AS on_register_since, d.removed_at AS on_register_until, f.at AS flag_set_at
  FROM call_attempts a
  JOIN customers c ON c.id = a.customer_id
  LEFT JOIN LATERAL (
    SELECT d.added_at, d.removed_at FROM dnc_numbers d
     WHERE d.msisdn = c.msisdn AND d.added_at <= a.started_at AND (d.removed_at IS NULL OR d.removed_at > a.started_at)
     ORDER BY d.added_at DESC LIMIT 1) d ON true
  LEFT JOIN LATERAL (
    SELECT h.dnc, h.at FROM customer_dnc_changes h
     WHERE h.customer_id = c.id AND h.at <= a.started_at
     ORDER BY h.at DESC, h.id DESC LIMIT 1) f ON f.dnc
 WHERE a.disposition IS DISTINCT FROM 'blocked' AND a.disposition IS DISTINCT FROM 'not-placed'
   AND (d.added_at IS NOT NULL OR f.at IS NOT NULL)
 ORDER BY a.started_at;
