import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ActivityCompletionError, ActivityNotFoundError, WorkflowNotFoundError } from '@temporalio/client';
import { DISPOSITIONS } from '../../domain/campaign/dialing';
import { campaignWorkflowId } from '../../domain/campaign/ids';
import { CALL_ATTEMPT_COLUMNS, outcomeFromRow, type CallAttemptRow } from '../../activities/campaign/telephony';
import { callEndedSignal, toCallEnded } from '../../workflows/campaign/messages';
import type { AppDeps } from '../deps';
import { notFound } from '../errors';
import { handOver, WEBHOOK_ERRORS, WEBHOOK_SECURITY, WebhookAck } from '../webhooks';
import { recordFirstReport } from '../../db/first-report-sql';
import { IsoDateTimeSchema } from '../../domain/datetime';

const DialerOutcome = z.object({
  callId: z.string().min(1).max(200),
  disposition: z.enum(DISPOSITIONS),
  connected: z.boolean(),
  durationSec: z.number().int().min(0).max(86_400),
  callbackAt: IsoDateTimeSchema.optional(),
  satisfaction: z.number().int().min(1).max(5).optional(),
  complaint: z.boolean().optional(),
  complaintReason: z.string().min(1).max(200).optional(),
  /** A follow-up call: the customer bought the offer made on it too. */
  resale: z.boolean().optional(),
  agentId: z.string().min(1).max(60).optional(),
  endedAt: IsoDateTimeSchema,
});

const RECORD_OUTCOME = recordFirstReport({
  table: 'call_attempts',
  set: {
    disposition: '$2', connected: '$3', duration_sec: '$4', callback_at: '$5', satisfaction: '$6', complaint: '$7',
    ended_at: '$8', agent_id: '$9', resale: '$10', complaint_reason: '$11',
  },
  where: 'id = $1',
  returning: `${CALL_ATTEMPT_COLUMNS}, task_token, purpose, campaign_id`,
  decidedBy: 'disposition',
});

/**
 * The dialer's outcome of a call. Recorded first (the first report wins, so a repeated or late
 * webhook changes nothing), then handed to the waiting activity or campaign.
 */
export const dialerWebhookRoutes = (deps: AppDeps): FastifyPluginAsyncZod => async (app) => {
  const { db, client } = deps;

  app.post('/webhooks/dialer', {
    config: { signedBy: 'dialer' },
    schema: {
      tags: ['webhooks'], summary: 'A call ended (dialer → us)', security: WEBHOOK_SECURITY,
      body: DialerOutcome, response: { 200: WebhookAck, ...WEBHOOK_ERRORS },
    },
  }, async (request) => {
    const o = request.body;
    const { rows } = await db.query<CallAttemptRow & { task_token: Buffer | null; first: boolean; purpose: string; campaign_id: string }>(
      RECORD_OUTCOME,
      [o.callId, o.disposition, o.connected, o.durationSec, o.callbackAt ?? null, o.satisfaction ?? null,
        o.complaint ?? null, o.endedAt, o.agentId ?? null, o.resale ?? null, o.complaintReason ?? null],
    );
    const row = rows[0];
    if (!row) throw notFound(`call '${o.callId}'`);
    if (!row.task_token) {
      if (row.purpose !== 'sales') return { ok: true, duplicate: !row.first };
      // A campaign's batched call: the campaign hears of its end by signal (it ignores repeats).
      return handOver(row.first,
        () => client.workflow.getHandle(campaignWorkflowId(row.campaign_id)).signal(callEndedSignal, toCallEnded(outcomeFromRow(row))),
        (err) => err instanceof WorkflowNotFoundError); // the campaign is closed
    }
    // Completed with the recorded (first) outcome, whatever this webhook said. Already completed:
    // this is a repeat, or a retried activity picked the outcome up itself.
    // A token Temporal cannot read names no activity that could ever take it: retrying is no use.
    return handOver(row.first, () => client.activity.complete(row.task_token!, outcomeFromRow(row)),
      (err) => err instanceof ActivityNotFoundError || (err instanceof ActivityCompletionError && /deserializ/i.test(err.message)));
  });
};
