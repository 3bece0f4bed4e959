import { msisdnHash } from './dnc-sql';
/**
 * A campaign's own suppression lists (suppression_lists, suppression_numbers, and
 * campaign_suppression_lists for the lists each campaign uses: db/migrations/014_dnc_register.sql).
 * A number on any of them is left off the campaign's list pull and refused at the moment of dialing.
 */
/**
 * For a few numbers (the calls being dialed): a probe each, for the number as it is and as an
 * erasure leaves it on a list ('erased:' and its hash, db/privacy/erasure-sql.ts).
 */
export const onSuppressionList = (campaignId: string, msisdn: string) =>
  `EXISTS (SELECT 1 FROM campaign_suppression_lists k JOIN suppression_numbers s ON s.list_id = k.list_id
            WHERE k.campaign_id = ${campaignId} AND s.msisdn IN (${msisdn}, 'erased:' || ${msisdnHash(msisdn)}))`;

/**
 * Every number on the lists a campaign uses, as a set: for a list pull over many customers,
 * `msisdn IN (this)`, which Postgres hashes once (a hashed SubPlan) instead of probing the lists
 * for each customer; empty, and so free, for a campaign without lists.
 */
export const suppressedNumbers = (campaignId: string) =>
  `SELECT s.msisdn FROM campaign_suppression_lists k JOIN suppression_numbers s ON s.list_id = k.list_id WHERE k.campaign_id = ${campaignId}`;

/**
 * The lists a campaign uses, as its definition names them ($1 campaign, $2 list ids): written with
 * its row, once (the launch checked that they exist; one that does not is not linked).
 */
export const LINK_SUPPRESSION_LISTS = `INSERT INTO campaign_suppression_lists (campaign_id, list_id)
   SELECT $1, l.id FROM suppression_lists l WHERE l.id = ANY($2::text[]) ON CONFLICT DO NOTHING`;
