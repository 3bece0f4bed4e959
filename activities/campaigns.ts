import type { Db } from '../infra/db';
import type { CampaignStatus, Segment } from '../domain/campaign';

/** Campaign-level data: the list pull and the campaign's recorded status. */
export function createCampaignActivities(db: Db) {
  return {
    /**
     * Writes the campaign's leads in one set-based statement: the segment's customers with a valid
     * number, not on the DNC register, not flagged do-not-call, not already owning the offer, one lead
     * per number. Idempotent: a repeat after a crash inserts nothing new and answers the same count.
     */
    async pullList(input: { campaignId: string; segment: Segment; offerCode: string }): Promise<{ listed: number }> {
      const { campaignId, segment, offerCode } = input;
      await db.query(
        `WITH candidates AS (
           SELECT DISTINCT ON (c.msisdn) c.id, c.msisdn, c.region
             FROM customers c
            WHERE ($2::text[] IS NULL OR c.region = ANY($2::text[]))
              AND ($3::text[] IS NULL OR c.plan = ANY($3::text[]))
              AND ($4::boolean IS NULL OR c.in_network = $4::boolean)
              AND c.msisdn ~ '^1[3-9][0-9]{9}$'
              AND NOT c.dnc
              AND NOT (c.services @> ARRAY[$5::text])
              AND NOT EXISTS (SELECT 1 FROM dnc_numbers d WHERE d.msisdn = c.msisdn)
            ORDER BY c.msisdn, c.id)
         INSERT INTO leads (campaign_id, customer_id, msisdn, region)
         SELECT $1, id, msisdn, region FROM candidates ORDER BY id LIMIT $6
         ON CONFLICT DO NOTHING`,
        [campaignId, segment.regions ?? null, segment.plans ?? null, segment.inNetwork ?? null, offerCode,
          segment.maxLeads ?? null],
      );
      const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM leads WHERE campaign_id = $1', [campaignId]);
      return { listed: Number(rows[0]!.n) };
    },

    async setCampaignStatus(input: { campaignId: string; status: CampaignStatus }): Promise<void> {
      await db.query('UPDATE campaigns SET status = $2, updated_at = now() WHERE id = $1', [input.campaignId, input.status]);
    },
  };
}
