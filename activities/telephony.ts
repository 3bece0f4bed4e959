import { ApplicationFailure, CompleteAsyncError, Context } from '@temporalio/activity';
import type { Db } from '../infra/db';
import { PLACE_CALLS_MAX_ATTEMPTS, type CallOutcome } from '../domain/dialing';
import { describeResponse, postJson } from './http-json';
import { checkBeforeDialing, refusedDisposition } from './contact-checks';
import type { ContactCap } from '../domain/campaign';
import type { CallingWindow } from '../domain/calling-window';

export interface PlaceCallInput {
  callId: string;
  purpose: 'sales' | 'followup';
  campaignId: string;
  attemptNo: number;
  leadId?: number;
  orderId?: string;
  /** The campaign's cross-campaign contact cap, checked before a sales call. */
  contactCap?: ContactCap;
  /** The team whose agents take the call when answered (paced campaigns). */
  team?: string;
  /** The agent who should take it if free: the owner of a promised callback. */
  agentId?: string;
  /** The calling window in force: checked again at the moment of dialing and kept in the contact log. */
  window?: CallingWindow;
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
  agent_id: string | null;
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
    ...(row.agent_id ? { agentId: row.agent_id } : {}),
    endedAt: (row.ended_at ?? new Date()).toISOString(),
  };
}

export const CALL_ATTEMPT_COLUMNS = 'id, disposition, connected, duration_sec, callback_at, satisfaction, complaint, ended_at, agent_id';

/** How one call of a batch went when we asked the dialer. */
export type PlacedCall =
  | { callId: string; status: 'placed' }
  | { callId: string; status: 'ended'; outcome: CallOutcome }
  | { callId: string; status: 'not-placed'; reason: string };

/** Calls of a batch placed at once: the dialer takes them in parallel, as it would from a real dialer's API. */
const PLACE_CONCURRENCY = 16;

/**
 * The dialer adapter. Only it reads a full number, straight from Postgres; workflows carry masked
 * ones. A call's outcome comes minutes later by the dialer's webhook, so no activity waits on the
 * phone: placeCall completes asynchronously (the webhook completes it by task token), placeCalls
 * answers when the dialer has taken the calls (the webhook signals the campaign).
 */
export function createTelephonyActivities(deps: { db: Db; dialerUrl: string; publicApiUrl: string }) {
  const { db } = deps;

  /**
   * Writes the attempt to the contact log (with the waiting activity's task token, when there is
   * one), makes the last checks and asks the dialer. Idempotent by call id: a repeat re-attaches to
   * the same call, or answers the outcome already recorded.
   */
  async function place(input: PlaceCallInput, token: Buffer | null): Promise<PlacedCall> {
    const { rows } = await db.query<CallAttemptRow>(
      `INSERT INTO call_attempts (id, purpose, campaign_id, lead_id, order_id, attempt_no, task_token)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (id) DO UPDATE SET task_token = COALESCE(EXCLUDED.task_token, call_attempts.task_token)
       RETURNING ${CALL_ATTEMPT_COLUMNS}`,
      [input.callId, input.purpose, input.campaignId, input.leadId ?? null, input.orderId ?? null, input.attemptNo, token],
    );
    const existing = rows[0]!;
    if (existing.disposition && existing.disposition !== 'not-placed') {
      return { callId: input.callId, status: 'ended', outcome: outcomeFromRow(existing) }; // already known
    }

    // The last checks, at the moment of dialing: a number put on do-not-call after the list was
    // pulled, a lead a person stopped, a customer called too often lately is not called.
    const target = await checkBeforeDialing(db, input);
    if (target.blockedBy) {
      const { rows: [blocked] } = await db.query<CallAttemptRow>(
        `UPDATE call_attempts SET disposition = $2, connected = false, duration_sec = 0, ended_at = now()
          WHERE id = $1 RETURNING ${CALL_ATTEMPT_COLUMNS}`, [input.callId, refusedDisposition(target.blockedBy)]);
      return { callId: input.callId, status: 'ended', outcome: outcomeFromRow(blocked!) };
    }
    const res = await postJson(`${deps.dialerUrl}/calls`, {
      callId: input.callId,
      to: target.msisdn,
      purpose: input.purpose,
      callbackUrl: `${deps.publicApiUrl}/webhooks/dialer`,
      ...(input.team ? { team: input.team } : {}),
      ...(input.agentId ? { agentId: input.agentId } : {}),
    });
    if (res.status >= 500 || res.status === 429) throw new Error(describeResponse('dialer', res));
    if (res.status >= 400) return { callId: input.callId, status: 'not-placed', reason: describeResponse('dialer', res) };
    return { callId: input.callId, status: 'placed' };
  }

  return {
    /**
     * One call whose outcome completes this activity (the API's dialer webhook completes it by its
     * task token): follow-up calls, and campaigns that started before calls were batched.
     */
    async placeCall(input: PlaceCallInput): Promise<CallOutcome> {
      const placed = await place(input, Buffer.from(Context.current().info.taskToken));
      if (placed.status === 'ended') return placed.outcome;
      if (placed.status === 'not-placed') throw ApplicationFailure.nonRetryable(placed.reason, 'CallRejected');
      throw new CompleteAsyncError();
    },

    /**
     * A campaign's batch of calls, answered as soon as the dialer has taken them: each outcome
     * comes later by webhook and reaches the campaign workflow as a `callEnded` signal, so calls
     * ringing while the campaign hands over to a new run are neither lost nor repeated. A dialer
     * outage fails the batch and the retry places only what is missing (the call id is the
     * dialer's idempotency key); on the last attempt the calls still failing are "not placed".
     */
    async placeCalls(input: {
      campaignId: string;
      team?: string;
      contactCap?: ContactCap;
      window?: CallingWindow;
      calls: { callId: string; leadId: number; attemptNo: number; agentId?: string }[];
    }): Promise<{ results: PlacedCall[] }> {
      const lastAttempt = Context.current().info.attempt >= PLACE_CALLS_MAX_ATTEMPTS;
      const results: PlacedCall[] = [];
      const failures: string[] = [];
      const queue = [...input.calls];
      const worker = async () => {
        for (let call = queue.shift(); call; call = queue.shift()) {
          const one: PlaceCallInput = {
            callId: call.callId, purpose: 'sales', campaignId: input.campaignId, leadId: call.leadId, attemptNo: call.attemptNo,
            ...(input.contactCap ? { contactCap: input.contactCap } : {}),
            ...(input.window ? { window: input.window } : {}),
            ...(input.team ? { team: input.team } : {}),
            ...(call.agentId ? { agentId: call.agentId } : {}),
          };
          try {
            results.push(await place(one, null));
          } catch (err) {
            if (err instanceof ApplicationFailure && err.nonRetryable) throw err;
            const reason = err instanceof Error ? err.message : String(err);
            if (lastAttempt) results.push({ callId: call.callId, status: 'not-placed', reason });
            else failures.push(`${call.callId}: ${reason}`);
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(PLACE_CONCURRENCY, input.calls.length) }, worker));
      if (failures.length) throw new Error(`${failures.length} of ${input.calls.length} calls not placed yet: ${failures[0]}`);
      return { results };
    },
  };
}
