import type { Queryable } from '../../db/queryable';
import { CAMPAIGN_FUNNEL_SQL } from '../../db/reports/funnel-sql';
import { FUNNEL_STEPS, type Funnel } from '../../domain/reports/funnel';
import type { Db } from '../../infra/db';
import { refreshRollups } from '../../db/reports/rollups';

/** A campaign's funnel as Postgres has it now: what the API answers and the workflow shows. */
export async function readCampaignFunnel(db: Queryable, campaignId: string): Promise<Funnel> {
  const { rows: [row] } = await db.query<Record<keyof Funnel, string>>(CAMPAIGN_FUNNEL_SQL, [campaignId]);
  return Object.fromEntries(FUNNEL_STEPS.map((step) => [step, Number(row![step])])) as Funnel;
}

/** The reporting module's activities: figures a workflow shows, read from their one definition. */
export function createReportActivities(db: Db) {
  return {
    /** The reports-rollup schedule's step: recomputes what was written since (idempotent: no marks, no work). */
    async refreshReportRollups(): Promise<{ slices: number; marks: number }> {
      return refreshRollups(db);
    },
    async campaignFunnel(input: { campaignId: string }): Promise<Funnel> {
      return readCampaignFunnel(db, input.campaignId);
    },
  };
}
