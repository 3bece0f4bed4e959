import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Client } from '@temporalio/client';
import type { Db } from '../../infra/db';
import type { Outage } from '../../domain/campaign/outages';
import { progressQuery } from '../../workflows/campaign/messages';
import type { AppDeps } from '../deps';
import { findCampaign } from './store';
import { notFound } from '../errors';

export const OutageView = z.object({
  system: z.enum(['dialer', 'database']), since: z.string(), retries: z.number().int(), lastError: z.string(),
});

/**
 * What a running campaign waits for now (outside systems down), asked of its workflow; null when
 * the workflow does not answer within 2 s (no worker, say): the status from Postgres still shows.
 */
export async function liveOutages(client: Client, workflowId: string): Promise<Outage[] | null> {
  try {
    const progress = await client.withDeadline(Date.now() + 2_000, () => client.workflow.getHandle(workflowId).query(progressQuery));
    return progress.outages ?? [];
  } catch {
    return null;
  }
}

export async function countLeadFailures(db: Db, campaignId: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM lead_failures WHERE campaign_id = $1', [campaignId]);
  return Number(rows[0]!.n);
}

const LeadFailure = z.object({ leadId: z.number().int(), stage: z.string(), reason: z.string(), at: z.string() });

/** Marketing's view of what went wrong with single leads of a campaign (the campaign went on). */
export const campaignFailureRoutes = (deps: AppDeps): FastifyPluginAsyncZod => async (app) => {
  app.get('/campaigns/:id/lead-failures', {
    config: { roles: ['marketing'] },
    schema: {
      tags: ['campaigns'],
      summary: "Leads of a campaign whose next step failed for good (an order that could not start), newest first",
      params: z.strictObject({ id: z.string().min(1).max(63) }),
      querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).default(100) }),
      response: {
        200: z.object({ campaignId: z.string(), total: z.number().int(), failures: z.array(LeadFailure) }),
      },
    },
  }, async (request) => {
    const campaign = await findCampaign(deps.db, request.params.id);
    if (!campaign) throw notFound(`campaign '${request.params.id}'`);
    const { rows } = await deps.db.query<{ lead_id: string; stage: string; reason: string; at: Date }>(
      'SELECT lead_id, stage, reason, at FROM lead_failures WHERE campaign_id = $1 ORDER BY at DESC, lead_id LIMIT $2',
      [campaign.id, request.query.limit]);
    return {
      campaignId: campaign.id, total: await countLeadFailures(deps.db, campaign.id),
      failures: rows.map((r) => ({ leadId: Number(r.lead_id), stage: r.stage, reason: r.reason, at: r.at.toISOString() })),
    };
  });
};
