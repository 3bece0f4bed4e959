import type { Queryable } from '../../db/queryable';
import { CAMPAIGN_FUNNEL_SQL } from '../../db/reports/funnel-sql';
import { FUNNEL_STEPS, type Funnel } from '../../domain/reports/funnel';

/** A campaign's funnel as Postgres has it now: what the API answers and the workflow shows. */
export async function readCampaignFunnel(db: Queryable, campaignId: string): Promise<Funnel> {
  const { rows: [row] } = await db.query<Record<keyof Funnel, string>>(CAMPAIGN_FUNNEL_SQL, [campaignId]);
  return Object.fromEntries(FUNNEL_STEPS.map((step) => [step, Number(row![step])])) as Funnel;
}

/** The reporting module's activities: figures a workflow shows, read from their one definition. */
export function createReportActivities(db: Queryable) {
  return {
    async campaignFunnel(input: { campaignId: string }): Promise<Funnel> {
      return readCampaignFunnel(db, input.campaignId);
    },
  };
}
