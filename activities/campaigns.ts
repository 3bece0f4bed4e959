import type { Db } from '../infra/db';
import type { CampaignStatus, ContactCap, EndReason, Segment } from '../domain/campaign';
import { SqlParams, eligible, firstOfItsNumber } from '../db/segment-sql';

/** Campaign-level data: the list pull and the campaign's recorded status. */
export function createCampaignActivities(db: Db) {
  return {
    /**
     * Writes the campaign's leads in one set-based statement: the segment's customers with a valid
     * number, not on the DNC register, not flagged do-not-call, not already owning the offer, not
     * called up to the contact cap lately by any campaign, one lead per number. Idempotent: a repeat after a crash inserts nothing new and answers the same count.
     */
    async pullList(input: { campaignId: string; segment: Segment; offerCode: string; contactCap?: ContactCap }): Promise<{ listed: number }> {
      const { campaignId, segment } = input;
      const p = new SqlParams([campaignId]);
      const where = `${eligible(input, p)} AND ${firstOfItsNumber(input, p)}`;
      const limit = p.add(segment.maxLeads ?? null, 'bigint');
      await db.query(
        `INSERT INTO leads (campaign_id, customer_id, msisdn, region)
         SELECT $1, c.id, c.msisdn, c.region FROM customers c WHERE ${where} ORDER BY c.id LIMIT ${limit}
         ON CONFLICT DO NOTHING`,
        p.values,
      );
      const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM leads WHERE campaign_id = $1', [campaignId]);
      return { listed: Number(rows[0]!.n) };
    },

    async setCampaignStatus(input: { campaignId: string; status: CampaignStatus; endedBecause?: EndReason }): Promise<void> {
      await db.query(
        'UPDATE campaigns SET status = $2, ended_because = COALESCE($3, ended_because), updated_at = now() WHERE id = $1',
        [input.campaignId, input.status, input.endedBecause ?? null],
      );
    },
  };
}
