import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ActivityNotFoundError, WorkflowNotFoundError } from '@temporalio/client';
import { DISPOSITIONS } from '../../domain/campaign/dialing';
import { campaignWorkflowId } from '../../domain/campaign/ids';
import { CALL_ATTEMPT_COLUMNS, outcomeFromRow, type CallAttemptRow } from '../../activities/campaign/telephony';
import { callEndedSignal, toCallEnded } from '../../workflows/campaign/messages';
import type { AppDeps } from '../deps';
import { notFound } from '../errors';

const DialerOutcome = z.object({
  callId: z.string().min(1).max(200),
  disposition: z.enum(DISPOSITIONS),
  connected: z.boolean(),
  durationSec: z.number().int().min(0).max(86_400),
  callbackAt: z.iso.datetime({ offset: true }).optional(),
  satisfaction: z.number().int().min(1).max(5).optional(),
  complaint: z.boolean().optional(),
  complaintReason: z.string().min(1).max(200).optional(),
  /** A follow-up call: the customer bought the offer made on it too. */
  resale: z.boolean().optional(),
  agentId: z.string().min(1).max(60).optional(),
  endedAt: z.iso.datetime({ offset: true }),
});

const Ack = z.object({ ok: z.boolean(), duplicate: z.boolean() });

/**
 * The dialer's outcome of a call. Recorded first (the first report wins, so a repeated or late
 * webhook changes nothing), then handed to the waiting activity or campaign.
 */
export const dialerWebhookRoutes = (deps: AppDeps): FastifyPluginAsyncZod => async (app) => {
  const { db, client } = deps;

  app.post('/webhooks/dialer', {
    schema: { tags: ['webhooks'], summary: 'A call ended (dialer → us)', body: DialerOutcome, response: { 200: Ack } },
  }, async (request) => {
    const o = request.body;
    const { rows } = await db.query<CallAttemptRow & { task_token: Buffer | null; first: boolean; purpose: string; campaign_id: string }>(
      `UPDATE call_attempts SET
          disposition = COALESCE(disposition, $2), connected = COALESCE(connected, $3),
          duration_sec = COALESCE(duration_sec, $4), callback_at = COALESCE(callback_at, $5),
          satisfaction = COALESCE(satisfaction, $6), complaint = COALESCE(complaint, $7),
          ended_at = COALESCE(ended_at, $8), agent_id = COALESCE(agent_id, $9), resale = COALESCE(resale, $10),
          complaint_reason = COALESCE(complaint_reason, $11)
        WHERE id = $1
        RETURNING ${CALL_ATTEMPT_COLUMNS}, task_token, purpose, campaign_id,
                  (SELECT disposition IS NULL FROM call_attempts WHERE id = $1) AS first`,
      [o.callId, o.disposition, o.connected, o.durationSec, o.callbackAt ?? null, o.satisfaction ?? null,
        o.complaint ?? null, o.endedAt, o.agentId ?? null, o.resale ?? null, o.complaintReason ?? null],
    );
    const row = rows[0];
    if (!row) throw notFound(`call '${o.callId}'`);
    if (!row.task_token) {
      if (row.purpose !== 'sales') return { ok: true, duplicate: !row.first };
      // A campaign's batched call: the campaign hears of its end by signal (it ignores repeats).
      try {
        await client.workflow.getHandle(campaignWorkflowId(row.campaign_id)).signal(callEndedSignal, toCallEnded(outcomeFromRow(row)));
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return { ok: true, duplicate: true }; // the campaign is closed
        throw err; // Temporal unreachable: 5xx, and the dialer retries the webhook
      }
      return { ok: true, duplicate: !row.first };
    }
    try {
      // Completed with the recorded (first) outcome, whatever this webhook said.
      await client.activity.complete(row.task_token, outcomeFromRow(row));
    } catch (err) {
      // Already completed: this is a repeat, or a retried activity picked the outcome up itself.
      if (err instanceof ActivityNotFoundError) return { ok: true, duplicate: true };
      throw err; // Temporal unreachable: 5xx, and the dialer retries the webhook
    }
    return { ok: true, duplicate: !row.first };
  });
};
