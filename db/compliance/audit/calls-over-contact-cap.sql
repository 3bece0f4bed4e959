-- Marketing calls (sales calls, and follow-up calls that offered something) placed although the
-- customer had already had the cap's number of marketing calls, over all campaigns, in the period
-- before it. Expected: no rows.
-- A call is timed by when the dialer took it (else by the moment of its checks, for calls not
-- taken or logged before that was recorded), as the check at dialing counts them. The cap is the
-- one recorded with the call's checks, else its campaign's; else the default, 4 calls in 30 days.
WITH counted AS (
  SELECT a.id, a.purpose, a.campaign_id, a.customer_id, a.checks,
         COALESCE(a.dialer_took_at, (a.checks->>'checkedAt')::timestamptz, a.started_at) AS at
    FROM call_attempts a
   WHERE (a.purpose = 'sales' OR a.offers) AND a.checks->>'result' = 'clear'
     AND a.disposition IS DISTINCT FROM 'blocked' AND a.disposition IS DISTINCT FROM 'not-placed')
SELECT c.id AS call_id, c.purpose, c.campaign_id, c.customer_id, c.at AS dialed_at, cap.cap, earlier.n AS contacts_before
  FROM counted c
  LEFT JOIN campaigns k ON k.id = c.campaign_id
  CROSS JOIN LATERAL (
    SELECT COALESCE(c.checks->'contactCap', k.definition->'contactCap', '{"maxCalls":4,"days":30}'::jsonb) AS cap) cap
  CROSS JOIN LATERAL (
    SELECT count(*) AS n FROM counted b
     WHERE b.customer_id = c.customer_id AND b.id <> c.id
       AND b.at < c.at
       AND b.at > c.at - make_interval(days => (cap.cap->>'days')::int)) earlier
 WHERE earlier.n >= (cap.cap->>'maxCalls')::int
 ORDER BY c.at;
