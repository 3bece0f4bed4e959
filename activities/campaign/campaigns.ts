import { ApplicationFailure } from '@temporalio/activity';
import { inTransaction, type Db } from '../../infra/db';
import type { CampaignDefinition, CampaignStatus, ContactCap, EndReason, Segment } from '../../domain/campaign/campaign';
import { campaignWorkflowId } from '../../domain/campaign/ids';
import { PULL_WORK_MEM, SqlParams, eligible } from '../../db/campaign/segment-sql';

/** Campaign-level data: the campaign's row, the list pull and the campaign's recorded status. */
export function createCampaignActivities(db: Db) {
  return {
    /**
     * The campaign's row, as the API writes it after starting the workflow: the API may die between
     * the two, so the workflow makes sure of it itself. Whoever comes first writes it; the other
     * finds it. A row refused because its Idempotency-Key already names another campaign means this
     * launch repeats that one under a different id: it must not run as a second campaign.
     */
    async recordLaunch(input: { definition: CampaignDefinition; idempotencyKey: string | null }): Promise<void> {
      const { definition, idempotencyKey } = input;
      await db.query(
        `INSERT INTO campaigns (id, idempotency_key, name, definition, status, workflow_id)
         VALUES ($1, $2, $3, $4, 'pending', $5) ON CONFLICT DO NOTHING`,
        [definition.id, idempotencyKey, definition.name, JSON.stringify(definition), campaignWorkflowId(definition.id)],
      );
      const { rowCount } = await db.query('SELECT 1 FROM campaigns WHERE id = $1', [definition.id]);
      if (!rowCount) {
        throw ApplicationFailure.nonRetryable(`Idempotency-Key '${idempotencyKey}' already launched another campaign`, 'DuplicateLaunch');
      }
    },

    /**
     * Writes the campaign's leads, set-based, in one transaction: the segment's customers with a
     * valid number, not on the DNC register, not flagged do-not-call, not already owning the offer,
     * not called up to the contact cap lately by any campaign, one lead per number.
     *
     * One lead per number comes from the unique (campaign, number) key: candidates go in by customer
     * id and a later customer with a number already listed is skipped (ON CONFLICT DO NOTHING). A
     * skipped candidate still took a place under the LIMIT, so the pull tops up from after the last
     * candidate until maxLeads are listed or the segment is exhausted; the top-ups are as small as
     * the duplicates were few. (A per-row "no lower id has this number" probe cost 1M random index
     * reads: see docs/benchmarks.md.) Idempotent: a repeat after a crash finds the list complete and
     * inserts nothing.
     */
    async pullList(input: { campaignId: string; segment: Segment; offerCode: string; contactCap?: ContactCap }): Promise<{ listed: number }> {
      const { campaignId, segment } = input;
      const p = new SqlParams([campaignId]);
      const where = eligible(input, p);
      const after = p.add(0, 'bigint');
      const limit = p.add(null, 'bigint');
      const sql = `WITH cand AS (
           SELECT c.id, c.msisdn, c.region FROM customers c WHERE ${where} AND c.id > ${after} ORDER BY c.id LIMIT ${limit}),
         ins AS (
           INSERT INTO leads (campaign_id, customer_id, msisdn, region)
           SELECT $1, id, msisdn, region FROM cand ORDER BY id
           ON CONFLICT DO NOTHING RETURNING 1)
         SELECT (SELECT count(*) FROM ins) AS inserted, (SELECT count(*) FROM cand) AS scanned, (SELECT max(id) FROM cand) AS last_id`;
      const afterAt = p.values.length - 2;
      return inTransaction(db, async (tx) => {
        await tx.query(`SET LOCAL work_mem = '${PULL_WORK_MEM}'`);
        const count = async () =>
          Number((await tx.query<{ n: string }>('SELECT count(*) AS n FROM leads WHERE campaign_id = $1', [campaignId])).rows[0]!.n);
        let listed = await count();
        let cursor = 0;
        for (;;) {
          const wanted = segment.maxLeads === undefined ? null : segment.maxLeads - listed;
          if (wanted !== null && wanted <= 0) break;
          p.values[afterAt] = cursor;
          p.values[afterAt + 1] = wanted;
          const { rows: [r] } = await tx.query<{ inserted: string; scanned: string; last_id: string | null }>(sql, p.values);
          listed += Number(r!.inserted);
          if (wanted === null || Number(r!.scanned) < wanted || r!.last_id === null) break; // segment exhausted
          cursor = Number(r!.last_id);
        }
        return { listed };
      });
    },

    async setCampaignStatus(input: { campaignId: string; status: CampaignStatus; endedBecause?: EndReason }): Promise<void> {
      await db.query(
        'UPDATE campaigns SET status = $2, ended_because = COALESCE($3, ended_because), updated_at = now() WHERE id = $1',
        [input.campaignId, input.status, input.endedBecause ?? null],
      );
    },

    /** One lead's step failed for good: recorded on the lead (the first record of a stage stays). */
    async recordLeadFailure(input: { campaignId: string; leadId: number; stage: 'order'; reason: string }): Promise<void> {
      await db.query(
        `INSERT INTO lead_failures (campaign_id, lead_id, stage, reason) VALUES ($1, $2, $3, $4)
         ON CONFLICT (campaign_id, lead_id, stage) DO NOTHING`,
        [input.campaignId, input.leadId, input.stage, input.reason.slice(0, 1000)],
      );
    },
  };
}
