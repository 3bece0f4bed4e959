import { HELD_OUT } from '../campaign/holdout-sql';

// A campaign's evaluation in SQL: its treated and held-out leads counted alike over one period
// (domain/reports/evaluation.ts says what each figure means and how it is judged). `$1` is the
// campaign id, `$2` the follow-through window in days.

/**
 * The period, one for both groups: from each lead's list pull (leads.listed_at; the pull writes the
 * two groups together) to now, or to the campaign's end plus the follow-through window (orders
 * made on its last calls are still delivered and activated then) once that has passed.
 */
const PERIOD = `
  c AS (SELECT id, definition->'offer'->>'code' AS offer,
               CASE WHEN status IN ('completed', 'cancelled', 'failed') THEN updated_at END AS ended_at
          FROM campaigns WHERE id = $1),
  p AS (SELECT c.*, CASE WHEN c.ended_at IS NULL THEN now() ELSE least(now(), c.ended_at + make_interval(days => $2::int)) END AS until
          FROM c)`;

/** The period's bounds: the first list pull (null before any) and its end. */
export const EVALUATION_PERIOD_SQL = `WITH ${PERIOD}
  SELECT (SELECT min(listed_at) FROM leads WHERE campaign_id = $1) AS from, p.until, p.ended_at FROM p`;

/**
 * Per group (held_out true or false), the figures of GroupFigures. Orders are any channel's, of the
 * campaign's offer, found by customer: grouped once per customer (a hash join, not a probe per
 * lead), their latest made by the period's end, and the latest of those activated by then; a lead
 * has one in its period when that latest is not before its list pull. Spend change: the customer's
 * monthly spend now minus the lead's at the pull, where that is known (leads before migration 019
 * have none). Churn: among customers in the network at the pull who had not left before it, those
 * who left in the period.
 */
export const EVALUATION_GROUPS_SQL = `WITH ${PERIOD},
  o AS (SELECT o.customer_id, max(o.created_at) AS last_order,
               max(o.created_at) FILTER (WHERE o.activated_at <= p.until) AS last_activated_order
          FROM orders o, p WHERE o.offer_code = p.offer AND o.created_at <= p.until GROUP BY o.customer_id),
  l AS (SELECT l.state = '${HELD_OUT}' AS held_out, l.listed_at, l.in_network_at_pull, cu.churned_at, p.until,
               cu.spend_last_month - l.spend_at_pull AS spend_change,
               COALESCE(o.last_order >= l.listed_at, false) AS ordered,
               COALESCE(o.last_activated_order >= l.listed_at, false) AS activated
          FROM p JOIN leads l ON l.campaign_id = p.id JOIN customers cu ON cu.id = l.customer_id
          LEFT JOIN o ON o.customer_id = l.customer_id)
  SELECT held_out, count(*) AS leads, count(*) FILTER (WHERE ordered) AS ordered, count(*) FILTER (WHERE activated) AS activated,
         count(spend_change) AS spend_known, avg(spend_change) AS spend_mean, var_samp(spend_change) AS spend_variance,
         count(*) FILTER (WHERE in_network_at_pull AND (churned_at IS NULL OR churned_at >= listed_at::date)) AS at_risk,
         count(*) FILTER (WHERE in_network_at_pull AND churned_at >= listed_at::date AND churned_at <= until::date) AS churned
    FROM l GROUP BY held_out`;

export interface EvaluationGroupRow {
  held_out: boolean;
  leads: string;
  ordered: string;
  activated: string;
  spend_known: string;
  spend_mean: string | null;
  spend_variance: string | null;
  at_risk: string;
  churned: string;
}
