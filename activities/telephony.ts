import { ApplicationFailure, CompleteAsyncError, Context } from '@temporalio/activity';
import type { Db } from '../infra/db';
import type { CallOutcome } from '../domain/dialing';
import { describeResponse, postJson } from './http-json';
import { checkBeforeDialing } from './contact-checks';
import type { ContactCap } from '../domain/campaign';

export interface PlaceCallInput {
  callId: string;
  purpose: 'sales' | 'followup';
  campaignId: string;
  attemptNo: number;
  leadId?: number;
  orderId?: string;
  /** The campaign's cross-campaign contact cap, checked before a sales call. */
  contactCap?: ContactCap;
}

export interface CallAttemptRow {
  id: string;
  disposition: string | null;
  connected: boolean | null;
  duration_sec: number | null;
  callback_at: Date | null;
  satisfaction: number | null;
  complaint: boolean | null;
  ended_at: Date | null;
}

/** The stored outcome of a call in the shape the dialer reported it. */
export function outcomeFromRow(row: CallAttemptRow): CallOutcome {
  return {
    callId: row.id,
    disposition: row.disposition as CallOutcome['disposition'],
    connected: row.connected ?? false,
    durationSec: row.duration_sec ?? 0,
    ...(row.callback_at ? { callbackAt: row.callback_at.toISOString() } : {}),
    ...(row.satisfaction != null ? { satisfaction: row.satisfaction } : {}),
    ...(row.complaint != null ? { complaint: row.complaint } : {}),
    endedAt: (row.ended_at ?? new Date()).toISOString(),
  };
}

export const CALL_ATTEMPT_COLUMNS = 'id, disposition, connected, duration_sec, callback_at, satisfaction, complaint, ended_at';

/**
 * The dialer adapter. Only it reads a full number, straight from Postgres; workflows carry masked ones. A call's outcome comes minutes later by webhook, so placeCall completes
 * asynchronously: it stores its task token with the attempt, places the call and returns without a
 * result; the API's dialer webhook completes it. The call id is the dialer's idempotency key, so a
 * retried activity re-attaches to the same call (and gets the stored outcome if it already came).
 */
export function createTelephonyActivities(deps: { db: Db; dialerUrl: string; publicApiUrl: string }) {
  const { db } = deps;
  return {
    async placeCall(input: PlaceCallInput): Promise<CallOutcome> {
      const token = Buffer.from(Context.current().info.taskToken);
      const { rows } = await db.query<CallAttemptRow>(
        `INSERT INTO call_attempts (id, purpose, campaign_id, lead_id, order_id, attempt_no, task_token)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (id) DO UPDATE SET task_token = EXCLUDED.task_token
         RETURNING ${CALL_ATTEMPT_COLUMNS}`,
        [input.callId, input.purpose, input.campaignId, input.leadId ?? null, input.orderId ?? null, input.attemptNo, token],
      );
      const existing = rows[0]!;
      if (existing.disposition && existing.disposition !== 'not-placed') return outcomeFromRow(existing); // already known

      // The last checks, at the moment of dialing: a number put on do-not-call after the list was
      // pulled, a lead a person stopped, a customer called too often lately is not called.
      const target = await checkBeforeDialing(db, input);
      if (target.blockedBy) {
        const { rows: [blocked] } = await db.query<CallAttemptRow>(
          `UPDATE call_attempts SET disposition = 'blocked', connected = false, duration_sec = 0, ended_at = now()
            WHERE id = $1 RETURNING ${CALL_ATTEMPT_COLUMNS}`, [input.callId]);
        return outcomeFromRow(blocked!);
      }
      const res = await postJson(`${deps.dialerUrl}/calls`, {
        callId: input.callId,
        to: target.msisdn,
        purpose: input.purpose,
        callbackUrl: `${deps.publicApiUrl}/webhooks/dialer`,
      });
      if (res.status >= 500 || res.status === 429) throw new Error(describeResponse('dialer', res));
      if (res.status >= 400) {
        throw ApplicationFailure.nonRetryable(describeResponse('dialer', res), 'CallRejected');
      }
      throw new CompleteAsyncError();
    },
  };
}
