import type { Db } from '../../infra/db';
import type { AttemptDisposition, CallOutcome, LeadStep } from '../../domain/campaign/dialing';
import { CALL_ATTEMPT_COLUMNS, outcomeFromRow, type CallAttemptRow } from './telephony';
import type { CallingWindow } from '../../domain/campaign/calling-window';
import { DIAL_MARGIN_SECONDS, nextDialingOpening } from '../../domain/compliance/dial-window';
import { callsToPlace, type AgentPool, type Pacing, type PacingDecision } from '../../domain/campaign/pacing';
import type { PacingReader } from './pacing';
import { SqlParams } from '../../db/campaign/segment-sql';
import { endCallsWithoutOutcome } from '../../db/campaign/call-outcome-sql';
import { campaignCalls } from '../../infra/metrics';

export interface ClaimedLead {
  leadId: number;
  attemptNo: number;
  /** The agent whose callback this is, still within its grace period: the dialer puts it through to them. */
  agentId?: string;
}

/** The pacing decision behind a claim, as the campaign shows it to an operator. */
export interface PacingState {
  mode: Pacing['mode'];
  /** Calls placed per free agent for this claim (null: no agents involved). */
  ratio: number | null;
  limitedBy: PacingDecision['limitedBy'];
  /** The team's agents as the dialer saw them (null without a team). */
  pool: AgentPool | null;
  /** Abandoned ÷ answered over the recent answered calls (null: too few to judge, or not predictive). */
  abandonRate: number | null;
}

export interface Claim {
  leads: ClaimedLead[];
  /** 0 when every lead is finished (none waiting or being called); otherwise more than 0. */
  open: number;
  /** Milliseconds until the next waiting lead is due; null when none waits or not asked. */
  nextDueInMs: number | null;
  /** Present when the claim was paced (the workflow passed `pacing`). */
  pacing?: PacingState;
}

/** One ended call and the retry rule's verdict on its lead. */
export interface SettledCall {
  leadId: number;
  attemptNo: number;
  callId: string;
  disposition: AttemptDisposition;
  step: LeadStep;
  /** The agent who took the call: a callback they promised is theirs. */
  agentId?: string;
}

export interface ClaimInput {
  campaignId: string;
  /** Free call slots; with `pacing`, the most the pacing may place. */
  limit: number;
  claimId: string;
  window?: CallingWindow;
  /** How long a callback stays its agent's (dialing.callbackGraceSeconds); 0 when absent. */
  callbackGraceSeconds?: number;
  /** Ended calls to settle first, in the same activity (see settleCalls). */
  settle?: SettledCall[];
  /** Pace the claim by the team's free agents and the abandon rate (domain/campaign/pacing.ts). */
  pacing?: { pacing: Pacing; team?: string; maxConcurrentCalls: number; inFlight: number };
}

/** The hopper: leads wait in Postgres and the campaign workflow claims the due ones as slots free up. */
export function createLeadActivities(db: Db, reader?: PacingReader) {
  const pace = async (input: ClaimInput): Promise<{ limit: number; state?: PacingState }> => {
    if (!input.pacing) return { limit: input.limit };
    if (!reader) throw new Error('pacing asked of lead activities built without a dialer');
    const { pacing, team, maxConcurrentCalls, inFlight } = input.pacing;
    const pool = team && pacing.mode !== 'preview' ? await reader.pool(team) : null;
    const rate = pool && pacing.mode === 'predictive' ? await reader.abandonRate(input.campaignId, pacing) : null;
    const decision = callsToPlace({ pacing, maxConcurrentCalls, inFlight, pool, rate });
    return {
      limit: Math.min(decision.calls, input.limit),
      state: { mode: pacing.mode, ratio: decision.ratio, limitedBy: decision.limitedBy, pool, abandonRate: rate },
    };
  };

  return {
    /**
     * Claims the due leads the pacing allows (FOR UPDATE SKIP LOCKED) and counts the attempt. The
     * claim id makes a retried claim answer the leads it already took instead of taking (and
     * stranding) more.
     */
    async claimDueLeads(input: ClaimInput): Promise<Claim> {
      const { campaignId, claimId, window } = input;
      if (input.settle?.length) await settleCalls(db, input.settle);
      const grace = input.callbackGraceSeconds ?? 0;
      let { rows } = await db.query<{ id: string; attempts: number; owner: string | null }>(
        `SELECT id, attempts, ${ownerStillHolds('leads', '$3::int')} AS owner
           FROM leads WHERE campaign_id = $1 AND claim_id = $2 AND state = 'dialing'`,
        [campaignId, claimId, grace],
      );
      let limit = input.limit;
      let pacing: PacingState | undefined;
      if (rows.length === 0) {
        ({ limit, state: pacing } = await pace(input));
      }
      if (rows.length === 0 && limit > 0) {
        const p = new SqlParams([campaignId, claimId]);
        const graceRef = p.add(grace, 'int');
        const callable = callableNow(p, window, { graceRef, freeAgents: pacing?.pool?.free ?? [] });
        ({ rows } = await db.query<{ id: string; attempts: number; owner: string | null }>(
          `WITH due AS (
             SELECT l.id FROM leads l JOIN regions r ON r.code = l.region
              WHERE l.campaign_id = $1 AND ${callable}
              ORDER BY l.next_attempt_at, l.id
              LIMIT ${p.add(limit, 'int')}
              FOR UPDATE OF l SKIP LOCKED)
           UPDATE leads l SET state = 'dialing', attempts = l.attempts + 1, claim_id = $2
             FROM due WHERE l.id = due.id
           RETURNING l.id, l.attempts, ${ownerStillHolds('l', graceRef)} AS owner`,
          p.values,
        ));
      }
      const leads = rows
        .map((r): ClaimedLead => ({ leadId: Number(r.id), attemptNo: r.attempts, ...(r.owner ? { agentId: r.owner } : {}) }))
        .sort((a, b) => a.leadId - b.leadId);
      // A full claim needs nothing more: the workflow claims again when a call ends. The rest are
      // asked only when fewer leads were due than allowed (cheap either way on a 1M-lead list).
      if (leads.length >= limit && limit > 0) return { leads, open: 1, nextDueInMs: null, ...(pacing ? { pacing } : {}) };
      const { rows: [o] } = await db.query<{ open: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM leads WHERE campaign_id = $1 AND state IN ('pending', 'dialing')) AS open`, [campaignId]);
      return { leads, open: o!.open ? 1 : 0, nextDueInMs: await nextDueInMs(db, campaignId, window), ...(pacing ? { pacing } : {}) };
    },

    /** Applies the retry rule's verdict to the lead; guarded by the attempt number so a repeat is a no-op. */
    async settleAttempt(input: SettledCall): Promise<void> {
      await settleCalls(db, [input]);
    },

    /** The verdicts for every call that ended since the campaign last looked (when it has nothing to claim). */
    async settleCalls(input: { calls: SettledCall[] }): Promise<void> {
      await settleCalls(db, input.calls);
    },

    /**
     * The outcomes the contact log holds for calls whose end never reached the campaign (a lost
     * signal, a dialer that forgot the call). Those in `giveUp` with no outcome yet are recorded as
     * not placed (a later webhook changes nothing: the first outcome wins).
     */
    async collectOutcomes(input: { callIds: string[]; giveUp: string[] }): Promise<{ outcomes: CallOutcome[] }> {
      if (input.giveUp.length) {
        await db.query(endCallsWithoutOutcome("'not-placed'"), [input.giveUp]);
      }
      const { rows } = await db.query<CallAttemptRow>(
        `SELECT ${CALL_ATTEMPT_COLUMNS} FROM call_attempts WHERE id = ANY($1::text[]) AND disposition IS NOT NULL`, [input.callIds]);
      return { outcomes: rows.map(outcomeFromRow) };
    },

    /**
     * A person stops leads (a complaint, a request): waiting leads end at once, a lead being called
     * ends when its call does. Idempotent; answers how many of the given leads this campaign has.
     */
    async stopLeads(input: { campaignId: string; stops: { leadId: number; reason: string }[] }): Promise<{ stopped: number }> {
      const res = await db.query(
        `UPDATE leads l SET stop_reason = COALESCE(l.stop_reason, s.reason),
                state = CASE WHEN l.state = 'pending' THEN 'done' ELSE l.state END,
                last_disposition = CASE WHEN l.state = 'pending' THEN 'stopped' ELSE l.last_disposition END
           FROM unnest($2::bigint[], $3::text[]) AS s(lead_id, reason)
          WHERE l.campaign_id = $1 AND l.id = s.lead_id`,
        [input.campaignId, input.stops.map((x) => x.leadId), input.stops.map((x) => x.reason)],
      );
      return { stopped: res.rowCount ?? 0 };
    },

    /** A cancelled campaign gives its unfinished leads back (they may be listed by a later campaign). */
    async releaseLeads(input: { campaignId: string }): Promise<{ released: number }> {
      const res = await db.query(
        `UPDATE leads SET state = 'released', claim_id = NULL WHERE campaign_id = $1 AND state IN ('pending', 'dialing')`,
        [input.campaignId],
      );
      return { released: res.rowCount ?? 0 };
    },
  };
}

/**
 * When is the next waiting lead callable: its due time, or its zone's next opening if later. The
 * earliest due time comes from the due index; only when some lead is already due (and so held
 * back by its calling window) are the zones looked at one by one.
 */
async function nextDueInMs(db: Db, campaignId: string, window: CallingWindow | undefined): Promise<number | null> {
  const { rows: [first] } = await db.query<{ first_due: Date; now: Date }>(
    `SELECT next_attempt_at AS first_due, now() AS now FROM leads
      WHERE campaign_id = $1 AND state = 'pending' ORDER BY next_attempt_at LIMIT 1`,
    [campaignId],
  );
  if (!first) return null;
  if (first.first_due > first.now || !window) return Math.max(0, first.first_due.getTime() - first.now.getTime());
  const zones = await db.query<{ time_zone: string; first_due: Date; now: Date }>(
    `SELECT r.time_zone, min(l.next_attempt_at) AS first_due, now() AS now
       FROM leads l JOIN regions r ON r.code = l.region
      WHERE l.campaign_id = $1 AND l.state = 'pending' GROUP BY r.time_zone`,
    [campaignId],
  );
  let soonest: number | null = null;
  for (const z of zones.rows) {
    const at = nextDialingOpening(window, z.time_zone, new Date(Math.max(z.first_due.getTime(), z.now.getTime())));
    if (!at) continue; // this zone's window never opens: only the end date or a person ends it
    const ms = Math.max(0, at.getTime() - z.now.getTime());
    soonest = soonest === null ? ms : Math.min(soonest, ms);
  }
  return soonest;
}

/**
 * Leads of `l` (joined with their region `r`) that may be called now: waiting, due, inside the
 * calling window in their own local time by the database's clock, now and the dial margin later
 * (domain/compliance/dial-window.ts: the check at dialing would refuse it), and not a callback still
 * held for an agent who is busy (or for another agent, when `freeAgents` names the one asking).
 */
export function callableNow(
  p: SqlParams,
  window: CallingWindow | undefined,
  callbacks: { graceRef: string; freeAgents: string[] },
): string {
  const parts = [`l.state = 'pending'`, `l.next_attempt_at <= now()`];
  if (window) {
    const [start, end, days, holidays] = [p.add(window.start, 'time'), p.add(window.end === '24:00' ? '24:00:00' : window.end, 'time'),
      p.add(window.days, 'int[]'), p.add(window.holidays, 'date[]')];
    for (const instant of ['now()', `(now() + make_interval(secs => ${p.add(DIAL_MARGIN_SECONDS, 'int')}))`]) {
      const local = `(${instant} AT TIME ZONE r.time_zone)`;
      parts.push(
        `${local}::time >= ${start}`, `${local}::time < ${end}`,
        `extract(isodow FROM ${local})::int = ANY(${days})`, `NOT (${local}::date = ANY(${holidays}))`,
      );
    }
  }
  // Without a pool (unattended dialing) nobody could take it in person: it waits out its grace.
  parts.push(`(l.agent_id IS NULL OR l.agent_id = ANY(${p.add(callbacks.freeAgents, 'text[]')})
      OR l.next_attempt_at + make_interval(secs => ${callbacks.graceRef}) <= now())`);
  return parts.join(' AND ');
}

/** The callback's owner while its grace period runs (the call goes to them), else null. */
function ownerStillHolds(alias: string, graceRef: string): string {
  return `CASE WHEN ${alias}.next_attempt_at + make_interval(secs => ${graceRef}) > now() THEN ${alias}.agent_id END`;
}

/**
 * The retry rule's verdicts for ended calls, in one statement per table. Guarded by the attempt
 * number and state, so a repeat is a no-op; the calls it did settle are counted, each once
 * (`telemarketing_campaign_calls_total`), however often the webhook or the activity came again.
 */
async function settleCalls(db: Db, c: SettledCall[]): Promise<void> {
  if (!c.length) return;
  const { rows: settled } = await db.query<{ disposition: string }>(
    `UPDATE leads l SET state = CASE WHEN l.stop_reason IS NULL THEN s.state ELSE 'done' END,
            last_disposition = s.disposition, claim_id = NULL,
            next_attempt_at = COALESCE(s.next_at, now() + make_interval(secs => s.delay)), agent_id = s.owner
       FROM unnest($1::bigint[], $2::int[], $3::text[], $4::text[], $5::timestamptz[], $6::int[], $7::text[])
            AS s(lead_id, attempt_no, state, disposition, next_at, delay, owner)
      WHERE l.id = s.lead_id AND l.attempts = s.attempt_no AND l.state = 'dialing'
     RETURNING s.disposition`,
    [c.map((x) => x.leadId), c.map((x) => x.attemptNo), c.map((x) => (x.step.kind === 'done' ? 'done' : 'pending')),
      c.map((x) => x.disposition), c.map((x) => (x.step.kind === 'callback' ? x.step.at : null)),
      c.map((x) => (x.step.kind === 'retry' ? x.step.delaySeconds : 0)),
      c.map((x) => (x.step.kind === 'callback' ? x.agentId ?? null : null))],
  );
  for (const { disposition } of settled) campaignCalls.inc({ disposition });
  const notPlaced = c.filter((x) => x.disposition === 'not-placed').map((x) => x.callId);
  if (notPlaced.length) {
    await db.query(endCallsWithoutOutcome("'not-placed'"), [notPlaced]);
  }
}
