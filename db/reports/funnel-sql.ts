import { NOT_DIALED } from '../../domain/reports/funnel';

// The funnel's one definition in SQL (domain/reports/funnel.ts says what each step means). `$1`
// is the campaign id. Leads and orders are counted from their own tables; dialed and connected
// are the distinct leads among the campaign's sales attempts, in one pass over its attempts.
const notDialed = NOT_DIALED.map((d) => `'${d}'`).join(', ');

export const CAMPAIGN_FUNNEL_SQL = `
  SELECT
    (SELECT count(*) FROM leads WHERE campaign_id = $1 AND state <> 'held-out') AS listed,
    a.dialed, a.connected,
    (SELECT count(*) FROM leads WHERE campaign_id = $1 AND last_disposition = 'accepted') AS accepted,
    o.ordered, o.delivered, o.activated, o.followed_up AS "followedUp"
  FROM (SELECT count(DISTINCT lead_id) FILTER (WHERE disposition IS NOT NULL AND disposition NOT IN (${notDialed})) AS dialed,
               count(DISTINCT lead_id) FILTER (WHERE connected) AS connected
          FROM call_attempts WHERE campaign_id = $1 AND purpose = 'sales') a,
       (SELECT count(*) AS ordered, count(delivered_at) AS delivered, count(activated_at) AS activated,
               count(*) FILTER (WHERE followup_result = 'reached') AS followed_up
          FROM orders WHERE campaign_id = $1) o`;
