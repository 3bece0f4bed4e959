/**
 * A campaign's control group in SQL (domain/campaign/holdout.ts says why and how). The draw itself
 * is the function `holdout_draw(campaign_id, customer_id)` of db/migrations/019_holdout.sql,
 * defined once there; this file only says where it is used.
 */

/** The state of a held-out lead: never claimed, never called, not open work, never released. */
export const HELD_OUT = 'held-out';

/** Leads the campaign calls (every lead but its control group), for whatever counts "listed". */
export const TREATED = (alias = 'l') => `${alias}.state <> '${HELD_OUT}'`;

/** The share a campaign holds out, from the definition it was launched with ($1 campaign); null: none. */
export const HOLDOUT_SHARE_OF_CAMPAIGN = `SELECT (definition->'holdout'->>'share')::float8 AS share FROM campaigns WHERE id = $1`;

/** A campaign's leads so far, all of them and its held-out ones ($1 campaign). */
export const COUNT_LISTED = `SELECT count(*) AS n, count(*) FILTER (WHERE state = '${HELD_OUT}') AS held_out FROM leads WHERE campaign_id = $1`;

/**
 * The state a lead is written with at the list pull: held out when the customer's draw for the
 * campaign falls under the share (a bind parameter; null holds nobody out), else due for a call.
 */
export const leadStateAtPull = (campaignId: string, customerId: string, share: string) =>
  `CASE WHEN holdout_draw(${campaignId}, ${customerId}) < ${share} THEN '${HELD_OUT}' ELSE 'pending' END`;
