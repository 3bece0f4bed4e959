-- Calls placed outside the calling window in force, in the customer's local time: sales calls and
-- follow-up calls alike. Expected: no rows.
-- A call is timed by when the dialer took it (dialer_took_at: its own time of taking it), else, for
-- calls logged before that was recorded (and preview calls an agent dials), by the moment of its
-- checks (started_at). The check refuses a call whose window closes within the dial margin after
-- it (domain/compliance/dial-window.ts), so the dialer's taking falls inside the window too.
-- The window is the one recorded with the call's checks (campaigns can change theirs while they
-- run; a follow-up's is its order policy's followUpWindow, else its campaign's); calls logged before
-- windows were recorded use the campaign's own, and calls of campaigns stored without one (or of no
-- campaign) the 08:00-21:00 default. The zone is the lead's region's for a sales call, the
-- customer's for a follow-up: where each was checked.
SELECT a.id AS call_id, a.purpose, a.campaign_id, a.lead_id, a.order_id, t.at AS dialed_at,
       r.time_zone, (t.at AT TIME ZONE r.time_zone) AS local_time, w.win AS calling_window
  FROM call_attempts a
  LEFT JOIN leads l ON l.id = a.lead_id
  LEFT JOIN orders o ON o.id = a.order_id
  LEFT JOIN customers c ON c.id = COALESCE(a.customer_id, l.customer_id, o.customer_id)
  JOIN regions r ON r.code = COALESCE(l.region, c.region)
  LEFT JOIN campaigns k ON k.id = a.campaign_id
  CROSS JOIN LATERAL (SELECT COALESCE(a.dialer_took_at, a.started_at) AS at) t
  CROSS JOIN LATERAL (
    SELECT COALESCE(a.checks->'window', k.definition->'window',
                    '{"start":"08:00","end":"21:00","days":[1,2,3,4,5,6,7],"holidays":[]}'::jsonb) AS win) w
 WHERE a.disposition IS DISTINCT FROM 'blocked' AND a.disposition IS DISTINCT FROM 'not-placed'
   AND NOT (
         (t.at AT TIME ZONE r.time_zone)::time >= (w.win->>'start')::time
     AND (t.at AT TIME ZONE r.time_zone)::time < (CASE WHEN w.win->>'end' = '24:00' THEN '24:00:00' ELSE w.win->>'end' END)::time
     AND extract(isodow FROM t.at AT TIME ZONE r.time_zone)::int
           IN (SELECT jsonb_array_elements_text(w.win->'days')::int)
     AND (t.at AT TIME ZONE r.time_zone)::date::text
           NOT IN (SELECT jsonb_array_elements_text(w.win->'holidays')))
 ORDER BY t.at;
