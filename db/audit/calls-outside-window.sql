-- Sales calls placed outside their campaign's calling window, in the lead's local time.
-- Expected: no rows. Campaigns stored without a window had the 08:00-21:00 default.
WITH w AS (
  SELECT k.id AS campaign_id,
         COALESCE(k.definition->'window', '{"start":"08:00","end":"21:00","days":[1,2,3,4,5,6,7],"holidays":[]}'::jsonb) AS win
    FROM campaigns k)
SELECT a.id AS call_id, a.campaign_id, a.lead_id, a.started_at,
       r.time_zone, (a.started_at AT TIME ZONE r.time_zone) AS local_time, w.win AS calling_window
  FROM call_attempts a
  JOIN leads l ON l.id = a.lead_id
  JOIN regions r ON r.code = l.region
  JOIN w ON w.campaign_id = a.campaign_id
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
