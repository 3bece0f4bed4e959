-- Sales calls placed outside the calling window in force, in the lead's local time.
-- Expected: no rows. The window is the one recorded with the call's checks (campaigns can change
-- theirs while they run); calls logged before windows were recorded use the campaign's own, and
-- campaigns stored without one had the 08:00-21:00 default.
SELECT a.id AS call_id, a.campaign_id, a.lead_id, a.started_at,
       r.time_zone, (a.started_at AT TIME ZONE r.time_zone) AS local_time, w.win AS calling_window
  FROM call_attempts a
  JOIN leads l ON l.id = a.lead_id
  JOIN regions r ON r.code = l.region
  JOIN campaigns k ON k.id = a.campaign_id
  CROSS JOIN LATERAL (
    SELECT COALESCE(a.checks->'window', k.definition->'window',
                    '{"start":"08:00","end":"21:00","days":[1,2,3,4,5,6,7],"holidays":[]}'::jsonb) AS win) w
 WHERE a.purpose = 'sales'
   AND a.disposition IS DISTINCT FROM 'blocked' AND a.disposition IS DISTINCT FROM 'not-placed'
   AND NOT (
         (a.started_at AT TIME ZONE r.time_zone)::time >= (w.win->>'start')::time
     AND (a.started_at AT TIME ZONE r.time_zone)::time < (CASE WHEN w.win->>'end' = '24:00' THEN '24:00:00' ELSE w.win->>'end' END)::time
     AND extract(isodow FROM a.started_at AT TIME ZONE r.time_zone)::int
           IN (SELECT jsonb_array_elements_text(w.win->'days')::int)
     AND (a.started_at AT TIME ZONE r.time_zone)::date::text
           NOT IN (SELECT jsonb_array_elements_text(w.win->'holidays')))
 ORDER BY a.started_at;
