import { ApplicationFailure, CompleteAsyncError, Context } from '@temporalio/activity';
import type { Db } from '../../infra/db';
import { PLACE_CALLS_MAX_ATTEMPTS, type CallOutcome } from '../../domain/campaign/dialing';
import { describeResponse, getJson, postJson } from '../http-json';
import { DIALER_REQUEST_TIMEOUT_MS, callsTheDialerHas, dialerTime } from './dialer-answers';
import { checkCallsBeforeDialing } from '../compliance/contact-checks';
import { refusedDisposition } from '../../domain/compliance/dial-checks';
import { recordFirstReport } from '../../db/first-report-sql';
import type { ContactCap } from '../../domain/campaign/campaign';
import type { CallingWindow } from '../../domain/campaign/calling-window';
import { DIAL_MARGIN_SECONDS } from '../../domain/compliance/dial-window';

export interface PlaceCallInput {
  callId: string;
  purpose: 'sales' | 'followup';
  /** The campaign the call is for; none for follow-ups of orders from other channels. */
  campaignId?: string;
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
  /** A follow-up that offers something: a marketing call, checked against `contactCap` and counted by it. */
  offers?: boolean;
}

export interface CallAttemptRow {
  id: string;
  disposition: string | null;
  connected: boolean | null;
  duration_sec: number | null;
  callback_at: Date | null;
  satisfaction: number | null;
  complaint: boolean | null;
  complaint_reason: string | null;
  ended_at: Date | null;
  agent_id: string | null;
  resale: boolean | null;
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
    ...(row.complaint_reason ? { complaintReason: row.complaint_reason } : {}),
    ...(row.resale ? { resale: true } : {}),
    ...(row.agent_id ? { agentId: row.agent_id } : {}),
    endedAt: (row.ended_at ?? new Date()).toISOString(),
  };
}

export const CALL_ATTEMPT_COLUMNS = 'id, disposition, connected, duration_sec, callback_at, satisfaction, complaint, complaint_reason, ended_at, agent_id, resale';

/** An outcome the dialer answered when asked (dialerCallStatus), recorded as its webhook would be. */
const RECORD_POLLED_OUTCOME = recordFirstReport({
  table: 'call_attempts',
  set: { disposition: '$2', connected: '$3', duration_sec: '$4', callback_at: '$5', ended_at: '$6', agent_id: '$7' },
  where: 'id = $1',
  returning: CALL_ATTEMPT_COLUMNS,
});


/** How one call of a batch went when we asked the dialer. */
export type PlacedCall =
  | { callId: string; status: 'placed' }
  | { callId: string; status: 'ended'; outcome: CallOutcome }
  | { callId: string; status: 'not-placed'; reason: string };


/**
 * The dialer adapter. Only it reads a full number, straight from Postgres; workflows carry masked
 * ones. A call's outcome comes minutes later by the dialer's webhook, so no activity waits on the
 * phone: placeCall completes asynchronously (the webhook completes it by task token), placeCalls
 * answers when the dialer has taken the calls (the webhook signals the campaign).
 */
export function createTelephonyActivities(deps: {
  db: Db; dialerUrl: string; publicApiUrl: string;
  /** The dial margin (domain/compliance/dial-window.ts); a test may shorten it. */
  dialMarginSeconds?: number;
}) {
  const { db } = deps;
  const marginSeconds = deps.dialMarginSeconds ?? DIAL_MARGIN_SECONDS;

  /**
   * Writes the attempts to the contact log (with the waiting activity's task token, when there is
   * one), makes the last checks and asks the dialer. Idempotent by call id: a repeat re-attaches to
   * the same call, or answers the outcome already recorded. The database work is a few statements
   * for the whole batch; the dialer gets the calls in parallel. A call the dialer could not take
   * now (5xx, 429, network) is in `failed`: the caller retries it, and the retry checks it again.
   */
  async function placeBatch(
    common: Pick<PlaceCallInput, 'purpose' | 'campaignId' | 'contactCap' | 'window' | 'team' | 'offers'>,
    calls: Pick<PlaceCallInput, 'callId' | 'leadId' | 'orderId' | 'attemptNo' | 'agentId'>[],
    token: Buffer | null,
  ): Promise<{ results: PlacedCall[]; failed: { callId: string; reason: string }[] }> {
    const { rows } = await db.query<CallAttemptRow>(
      `INSERT INTO call_attempts (id, purpose, campaign_id, lead_id, order_id, attempt_no, task_token, offers)
       SELECT u.id, $1, $2, u.lead_id, u.order_id, u.attempt_no, $7, $8 FROM unnest($3::text[], $4::bigint[], $5::text[], $6::int[]) AS u(id, lead_id, order_id, attempt_no)
       ON CONFLICT (id) DO UPDATE SET task_token = COALESCE(EXCLUDED.task_token, call_attempts.task_token)
       RETURNING ${CALL_ATTEMPT_COLUMNS}, dialer_took_at IS NOT NULL AS taken, checks IS NOT NULL AS checked`,
      [common.purpose, common.campaignId ?? null, calls.map((c) => c.callId), calls.map((c) => c.leadId ?? null),
        calls.map((c) => c.orderId ?? null), calls.map((c) => c.attemptNo), token, common.offers ?? false],
    );
    const results: PlacedCall[] = [];
    const known = new Set<string>();
    const taken = new Set<string>();
    const unsure: string[] = [];
    for (const row of rows as (CallAttemptRow & { taken: boolean; checked: boolean })[]) {
      if (row.disposition && row.disposition !== 'not-placed') {
        results.push({ callId: row.id, status: 'ended', outcome: outcomeFromRow(row) }); // already known
        known.add(row.id);
      } else if (row.taken) {
        // The dialer has it (it may be ringing): sending it again only re-attaches by its id.
        taken.add(row.id);
      } else if (row.checked && !row.disposition) {
        unsure.push(row.id); // handed over before, with no answer recorded
      }
    }
    // One the dialer took although its answer never came is taken: checked when it was, not again.
    // One the dialer cannot be asked about now is left as it is, and tried again (it is in `failed`).
    const asked = unsure.length ? await callsTheDialerHas(deps.dialerUrl, unsure) : { has: [], unknown: [] };
    for (const callId of asked.has) taken.add(callId);
    const unknown = new Set(asked.unknown.map((u) => u.callId));
    // Every other call is checked now, however recently it was checked before: a retry after the
    // dialer failed is a new moment of dialing (a number registered, a window closed meanwhile).
    const toCheck = calls.filter((c) => !known.has(c.callId) && !taken.has(c.callId) && !unknown.has(c.callId));

    // The last checks, at the moment of dialing: a number put on do-not-call after the list was
    // pulled, a lead a person stopped, a customer called too often lately, a window that closed.
    const targets = await checkCallsBeforeDialing(db, {
      purpose: common.purpose, calls: toCheck, marginSeconds,
      ...(common.contactCap ? { contactCap: common.contactCap } : {}), ...(common.window ? { window: common.window } : {}),
    });
    const refused = toCheck.filter((c) => targets.get(c.callId)!.blockedBy);
    if (refused.length) {
      const { rows: blocked } = await db.query<CallAttemptRow>(
        `UPDATE call_attempts a SET disposition = u.disposition, connected = false, duration_sec = 0, ended_at = now()
           FROM unnest($1::text[], $2::text[]) AS u(id, disposition) WHERE a.id = u.id
         RETURNING ${CALL_ATTEMPT_COLUMNS.split(', ').map((c) => `a.${c}`).join(', ')}`,
        [refused.map((c) => c.callId), refused.map((c) => refusedDisposition(targets.get(c.callId)!.blockedBy!))]);
      for (const row of blocked) results.push({ callId: row.id, status: 'ended', outcome: outcomeFromRow(row) });
    }

    if (taken.size) {
      const { rows: again } = await db.query<{ id: string; msisdn: string }>(
        `SELECT a.id, COALESCE(l.msisdn, c.msisdn) AS msisdn FROM call_attempts a
           LEFT JOIN leads l ON l.id = a.lead_id LEFT JOIN orders o ON o.id = a.order_id LEFT JOIN customers c ON c.id = o.customer_id
          WHERE a.id = ANY($1::text[])`, [[...taken]]);
      for (const r of again) targets.set(r.id, { msisdn: r.msisdn });
    }
    const failed: { callId: string; reason: string }[] = [...asked.unknown];
    const toDial = calls.filter((c) => targets.has(c.callId) && !targets.get(c.callId)!.blockedBy);
    const request = (c: (typeof calls)[number]) => ({
      callId: c.callId,
      to: targets.get(c.callId)!.msisdn,
      purpose: common.purpose,
      callbackUrl: `${deps.publicApiUrl}/webhooks/dialer`,
      ...(common.team ? { team: common.team } : {}),
      ...(c.agentId ? { agentId: c.agentId } : {}),
    });
    // Calls the dialer took, with its time of taking them when it said (else the time of its answer).
    const tookAt = new Map<string, string | null>();
    const verdict = (callId: string, status: number, why: string, answer?: unknown) => {
      if (status >= 500 || status === 429) failed.push({ callId, reason: why });
      else if (status >= 400) results.push({ callId, status: 'not-placed', reason: why });
      else { results.push({ callId, status: 'placed' }); tookAt.set(callId, dialerTime(answer)); }
    };
    const timeout = { timeoutMs: DIALER_REQUEST_TIMEOUT_MS };
    try {
      if (toDial.length === 1) {
        const res = await postJson(`${deps.dialerUrl}/calls`, request(toDial[0]!), timeout);
        verdict(toDial[0]!.callId, res.status, describeResponse('dialer', res), res.body);
      } else if (toDial.length > 1) {
        // One request for the batch (the dialer's batch API), each call answered on its own line.
        const res = await postJson(`${deps.dialerUrl}/calls/batch`, { calls: toDial.map(request) }, timeout);
        if (res.status !== 200) {
          for (const c of toDial) verdict(c.callId, res.status, describeResponse('dialer', res));
        } else {
          const lines = new Map(((res.body as { results?: { callId: string; code: number }[] }).results ?? []).map((r) => [r.callId, r]));
          for (const c of toDial) {
            const line = lines.get(c.callId);
            verdict(c.callId, line?.code ?? 502, line ? `dialer answered ${line.code} for ${c.callId}: ${JSON.stringify(line)}` : 'dialer left the call out of its answer', line);
          }
        }
      }
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      for (const c of toDial) if (!results.some((r) => r.callId === c.callId)) failed.push({ callId: c.callId, reason });
    }
    if (tookAt.size) {
      // The first taking counts (a re-attach answers the same call); the audit times the call by it.
      await db.query(
        `UPDATE call_attempts a SET dialer_took_at = COALESCE(a.dialer_took_at, u.at, clock_timestamp())
           FROM unnest($1::text[], $2::timestamptz[]) AS u(id, at) WHERE a.id = u.id`,
        [[...tookAt.keys()], [...tookAt.values()]]);
    }
    return { results, failed };
  }

  return {
    /**
     * One call whose outcome completes this activity (the API's dialer webhook completes it by its
     * task token): follow-up calls, and campaigns that started before calls were batched.
     */
    async placeCall(input: PlaceCallInput): Promise<CallOutcome> {
      const { callId, leadId, orderId, attemptNo, agentId, ...common } = input;
      const one = { callId, attemptNo, ...(leadId !== undefined ? { leadId } : {}), ...(orderId ? { orderId } : {}), ...(agentId ? { agentId } : {}) };
      const { results: [placed], failed } = await placeBatch(common, [one], Buffer.from(Context.current().info.taskToken));
      if (failed.length) throw new Error(failed[0]!.reason);
      if (placed!.status === 'ended') return placed!.outcome;
      if (placed!.status === 'not-placed') throw ApplicationFailure.nonRetryable(placed!.reason, 'CallRejected');
      throw new CompleteAsyncError();
    },

    /**
     * A campaign's batch of calls, answered as soon as the dialer has taken them: each outcome
     * comes later by webhook and reaches the campaign workflow as a `callEnded` signal, so calls
     * ringing while the campaign hands over to a new run are neither lost nor repeated. A dialer
     * outage fails the batch and the retry places only what is missing (the call id is the
     * dialer's idempotency key); on the last attempt the calls still failing are "not placed".
     */
    /**
     * What the dialer knows of calls whose end never reached the campaign (a lost webhook, a very
     * long call): still ringing or talking, ended (the outcome is recorded here as the webhook
     * would have, first outcome wins), or unknown to it (never placed).
     */
    async dialerCallStatus(input: { callIds: string[] }): Promise<{ live: string[]; outcomes: CallOutcome[]; unknown: string[] }> {
      const live: string[] = [];
      const unknown: string[] = [];
      const ended: CallOutcome[] = [];
      for (const callId of input.callIds) {
        const res = await getJson(`${deps.dialerUrl}/calls/${encodeURIComponent(callId)}`);
        if (res.status === 404) unknown.push(callId);
        else if (res.status !== 200) throw new Error(describeResponse('dialer', res));
        else {
          const body = res.body as { status: string; outcome: CallOutcome | null };
          if (body.status === 'completed' && body.outcome) ended.push(body.outcome);
          else live.push(callId);
        }
      }
      const outcomes: CallOutcome[] = [];
      for (const o of ended) {
        const { rows: [row] } = await db.query<CallAttemptRow>(
          RECORD_POLLED_OUTCOME,
          [o.callId, o.disposition, o.connected, o.durationSec, o.callbackAt ?? null, o.endedAt, o.agentId ?? null]);
        if (row) outcomes.push(outcomeFromRow(row));
      }
      return { live, outcomes, unknown };
    },

    async placeCalls(input: {
      campaignId: string;
      team?: string;
      contactCap?: ContactCap;
      window?: CallingWindow;
      calls: { callId: string; leadId: number; attemptNo: number; agentId?: string }[];
      /**
       * The dialer taking none of the calls it was asked to place is an outage, not a verdict on these calls: the
       * last attempt fails too (the campaign waits and places them later) instead of answering
       * them as not placed. Campaigns from before this flag leave it out.
       */
      holdWhenUnreachable?: boolean;
    }): Promise<{ results: PlacedCall[] }> {
      const lastAttempt = Context.current().info.attempt >= PLACE_CALLS_MAX_ATTEMPTS;
      const { calls, holdWhenUnreachable, ...rest } = input;
      const { results, failed } = await placeBatch({ ...rest, purpose: 'sales' }, calls, null);
      const unreachable = holdWhenUnreachable && failed.length > 0 && !results.some((r) => r.status === 'placed');
      if (failed.length && (!lastAttempt || unreachable)) throw new Error(`${failed.length} of ${calls.length} calls not placed yet: ${failed[0]!.reason}`);
      for (const f of failed) results.push({ callId: f.callId, status: 'not-placed', reason: f.reason });
      return { results };
    },
  };
}
