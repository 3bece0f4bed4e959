import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  isCancellation,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ClaimedLead, PacingState, SettledCall } from '../activities/leads';
import type { PreviewLead } from '../activities/preview';
import type { PlacedCall } from '../activities/telephony';
import {
  CampaignDefinitionSchema,
  DialingChangeSchema,
  SettingsChangeSchema,
  controlRefusal,
  stopReason,
  type DialingChange,
  type DialingPolicy,
  type Offer,
  type Pacing,
  type SettingsChange,
  type EndReason,
  type CampaignDefinition,
  type CampaignStatus,
} from '../domain/campaign';
import { AgentReportSchema, CONNECTED_DISPOSITIONS, PLACE_CALLS_MAX_ATTEMPTS, nextLeadStep, type AgentReport, type AttemptDisposition, type CallOutcome } from '../domain/dialing';
import type { CallingWindow } from '../domain/calling-window';
import { salesCallId } from '../domain/ids';
import { CampaignStatusKey } from './search-attributes';
import { data, telephony } from './activity-proxies';

// Placing a batch of calls takes a moment (the dialer answers at once; outcomes come by signal).
// A dialer outage is retried a few times; the last attempt reports what is still refused as not placed.
const dialer = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '2s', maximumInterval: '30s', maximumAttempts: PLACE_CALLS_MAX_ATTEMPTS },
});

// ---- Messages: what clients may ask of a running campaign ----------------------------------

export interface CampaignProgress {
  campaignId: string;
  status: CampaignStatus;
  listed: number;
  attempts: number;
  connected: number;
  accepted: number;
  ordered: number;
  /** Calls ringing or talking now, and leads held by agents in preview. */
  inFlight: number;
  /** Answered calls hung up because no agent was free (predictive pacing's cost, capped). */
  abandoned: number;
  dialing: DialingPolicy;
  pacing: Pacing;
  /** What the last pacing decision saw: free agents, abandon rate, calls per agent, the limit. */
  pacingState: PacingState | null;
  window: CallingWindow;
  /** Set once the campaign stopped calling: the list was finished, the quota or end date reached, or it was cancelled. */
  endedBecause?: EndReason;
  /** How many times the workflow has continued as new (history hand-overs). */
  run: number;
}

export const progressQuery = defineQuery<CampaignProgress>('progress');
export const pauseUpdate = defineUpdate<CampaignProgress>('pause');
export const resumeUpdate = defineUpdate<CampaignProgress>('resume');
export const cancelUpdate = defineUpdate<CampaignProgress>('cancel');
/** Stop one lead now (the customer complained, asked not to be called): no further attempt. */
export const stopLeadSignal = defineSignal<[{ leadId: number; reason: string }]>('stopLead');
/** Tune the dialing while the campaign runs; a bad value is refused and changes nothing. */
export const updateDialingUpdate = defineUpdate<CampaignProgress, [DialingChange]>('updateDialing');
/** Change dialing limits and retry policy, pacing or calling window while it runs (validated; refused whole). */
export const updateSettingsUpdate = defineUpdate<CampaignProgress, [SettingsChange]>('updateSettings');

/** A call the campaign placed has ended (the dialer's webhook, through the API); repeats are ignored. */
export interface CallEnded {
  callId: string;
  disposition: AttemptDisposition;
  connected: boolean;
  callbackAt?: string;
  agentId?: string;
}
export const callEndedSignal = defineSignal<[CallEnded]>('callEnded');

/** Preview mode: what an agent gets when asking for the next lead. */
export interface PreviewAssignment extends PreviewLead {
  campaignId: string;
  offer: Offer;
  script: string | null;
}
/** Preview mode: an agent asks for the next lead (null: none callable now). */
export const nextLeadUpdate = defineUpdate<PreviewAssignment | null, [{ agentId: string }]>('nextLead');
/** Preview mode: the agent reports how the call of a lead they hold went. */
export const reportCallUpdate = defineUpdate<CampaignProgress, [{ agentId: string; leadId: number } & AgentReport]>('reportCall');

// ---- Input and the state carried across continue-as-new --------------------------------------

interface CarriedState {
  listed: number;
  attempts: number;
  connected: number;
  accepted: number;
  ordered: number;
  paused: boolean;
  run: number;
  /** Stop requests that came in while the previous run handed over. */
  stops?: { leadId: number; reason: string }[];
  abandoned?: number;
  /** Calls still ringing (or leads held by agents) at the hand-over: their ends reach the new run. */
  calls?: LiveCall[];
  /** Ended calls the previous run had not settled yet. */
  ended?: CallEnded[];
}

/** A call of this campaign not settled yet: ringing or talking, or a lead an agent holds in preview. */
interface LiveCall {
  callId: string;
  leadId: number;
  attemptNo: number;
  /** Workflow time it was placed (or handed to the agent). */
  since: number;
  /** The agent holding it (preview) or asked to take it (an owned callback). */
  agentId?: string;
  preview?: boolean;
  /** Its end has been received and waits to be settled. */
  ended?: boolean;
  /** Preview: the agent's report is being recorded (a second report is refused). */
  reporting?: boolean;
}

export interface CampaignWorkflowInput {
  definition: CampaignDefinition;
  /** Hand over to a new run past this many history events (bounded history for large lists). */
  historyLimit?: number;
  carried?: CarriedState;
}

// ---- Activities, grouped by the kind of side effect ------------------------------------------

const listPull = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute', // the pull beats every 5 s: a dead worker costs a minute, not the 30, and the retry resumes
  retry: { initialInterval: '5s', maximumInterval: '1 minute' },
  summary: 'list pull: segment → leads',
});

/** Hand over to a new run past this many history events (bench/campaign.ts matches it). */
export const DEFAULT_HISTORY_LIMIT = 3_000;
/** A placed call with no outcome after this long is looked up in the contact log, then given up. */
const CALL_TIMEOUT_MS = 15 * 60_000;
/** A lead an agent took in preview and never reported on goes back to the queue after this long. */
const PREVIEW_HOLD_MS = 30 * 60_000;
/** Preview: leads one agent may hold at once, unreported. */
const MAX_HELD_PER_AGENT = 3;
/** With every agent busy, how often the campaign looks again (besides every call that ends). */
const AGENT_POLL_MS = 2_000;
/** Ended calls settled per activity. */
const SETTLE_BATCH = 200;
/** The patch that moved calls from one waiting activity each to batches whose ends come by signal. */
export const CALLS_BY_SIGNAL = 'calls-by-signal';
/** The patch that made a run wait briefly for its calls to end before handing over. */
export const QUIET_HANDOVER = 'quiet-handover';
/** At a hand-over, how long the calls in flight are given to end (the rest go with the state). */
const QUIET_HANDOVER_MS = 3_000;

export async function campaignWorkflow(input: CampaignWorkflowInput): Promise<CampaignProgress> {
  const parsed = CampaignDefinitionSchema.safeParse(input.definition);
  if (!parsed.success || !input.definition.id) {
    const why = parsed.success ? 'id: missing' : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw ApplicationFailure.nonRetryable(`invalid campaign definition: ${why}`, 'InvalidCampaign');
  }
  const def: CampaignDefinition = { ...parsed.data, id: input.definition.id };
  const campaignId = def.id;
  const carried = input.carried;
  const historyLimit = input.historyLimit ?? DEFAULT_HISTORY_LIMIT;

  const s = {
    listed: carried?.listed ?? 0,
    attempts: carried?.attempts ?? 0,
    connected: carried?.connected ?? 0,
    accepted: carried?.accepted ?? 0,
    ordered: carried?.ordered ?? 0,
    abandoned: carried?.abandoned ?? 0,
    paused: carried?.paused ?? false,
    run: carried?.run ?? 0,
    cancelled: false,
    finished: false,
    pulling: !carried,
    scheduled: false,
    /** Legacy loop only: calls in flight, each an activity. */
    inFlight: 0,
    callsEnded: 0,
    /** Bumped by every settings change, so a waiting loop looks again. */
    settings: 0,
    /** Preview: an agent found no unfinished lead left. */
    listDone: false,
  };
  let fatal: unknown;
  const stops: { leadId: number; reason: string }[] = [...(carried?.stops ?? [])];
  let endedBecause: EndReason | undefined;
  let pacingState: PacingState | null = null;
  /** The new loop's calls not settled yet, by call id, and the ends received for them. */
  const calls = new Map<string, LiveCall>((carried?.calls ?? []).map((c) => [c.callId, c]));
  const ended: CallEnded[] = [...(carried?.ended ?? [])];
  /** Milliseconds to the end date, capping every wait; undefined without one. */
  const untilEnd = () => (def.endAt ? Math.max(Date.parse(def.endAt) - Date.now(), 1) : undefined);
  const inFlight = () => s.inFlight + calls.size;

  const status = (): CampaignStatus => {
    if (s.cancelled) return inFlight() > 0 ? 'running' : 'cancelled';
    if (s.finished) return inFlight() > 0 ? 'running' : 'completed';
    if (s.scheduled) return 'scheduled';
    if (s.pulling) return 'pulling';
    return s.paused ? 'paused' : 'running';
  };
  const progress = (): CampaignProgress => ({
    campaignId, status: status(), listed: s.listed, attempts: s.attempts, connected: s.connected,
    accepted: s.accepted, ordered: s.ordered, inFlight: inFlight(), abandoned: s.abandoned,
    dialing: def.dialing, pacing: def.pacing, pacingState, window: def.window, run: s.run,
    ...(endedBecause ? { endedBecause } : {}),
  });

  setHandler(progressQuery, progress);
  setHandler(stopLeadSignal, (stop) => { stops.push(stop); });
  const refuse = (action: 'pause' | 'resume' | 'cancel') => () => {
    const why = s.cancelled ? 'campaign is being cancelled' : controlRefusal(action, status());
    if (why) throw new Error(why);
  };
  setHandler(pauseUpdate, () => { s.paused = true; return progress(); }, { validator: refuse('pause') });
  setHandler(resumeUpdate, () => { s.paused = false; return progress(); }, { validator: refuse('resume') });
  setHandler(cancelUpdate, () => { s.cancelled = true; return progress(); }, { validator: refuse('cancel') });

  // Settings: validated whole before anything changes; a finished campaign cannot be tuned, a paused one can.
  const defined = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
  const applySettings = (change: SettingsChange) => {
    if (change.dialing) def.dialing = { ...def.dialing, ...defined(DialingChangeSchema.parse(change.dialing)) };
    if (change.pacing) def.pacing = { ...def.pacing, ...defined(change.pacing) };
    if (change.window) def.window = change.window;
    s.settings++;
    showDetails();
    return progress();
  };
  const validateSettings = (change: SettingsChange, prefix: string[] = []) => {
    const parsed = SettingsChangeSchema.safeParse(change);
    if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${[...prefix, ...i.path].join('.')}: ${i.message}`).join('; '));
    const mode = parsed.data.pacing?.mode;
    if ((mode === 'preview' || mode === 'predictive') && !def.team) {
      throw new Error(`pacing.mode: ${mode} pacing needs the campaign's team (its agents); this campaign has none`);
    }
    refuse('cancel')();
  };
  setHandler(updateSettingsUpdate, (change) => applySettings(SettingsChangeSchema.parse(change)), { validator: (c) => validateSettings(c) });
  setHandler(updateDialingUpdate, (change) => applySettings({ dialing: change }), {
    validator: (change) => {
      const parsed = DialingChangeSchema.safeParse(change);
      if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${['dialing', ...i.path].join('.')}: ${i.message}`).join('; '));
      refuse('cancel')();
    },
  });

  // Call ends: each is taken once, for a call of this campaign not yet settled.
  const receive = (o: CallEnded) => {
    const call = calls.get(o.callId);
    if (!call || call.ended) return;
    call.ended = true;
    ended.push(o);
    // Counted as it comes, so the quota stops the campaign before the next claim.
    if (o.disposition === 'accepted') s.accepted++;
  };
  setHandler(callEndedSignal, receive);

  // Preview: agents take leads one by one and report each call.
  let claimSeq = 0;
  setHandler(nextLeadUpdate, async ({ agentId }) => {
    for (let tries = 0; tries < 10; tries++) {
      const claim = await data.claimPreviewLead({
        campaignId, agentId, team: def.team!, claimId: `${workflowInfo().runId}-p${++claimSeq}`, window: def.window,
        callbackGraceSeconds: def.dialing.callbackGraceSeconds, contactCap: def.contactCap,
      });
      if (claim.refused) throw ApplicationFailure.create({ message: claim.refused, type: 'AgentRefused', nonRetryable: true });
      if (!claim.lead) {
        if (claim.open === 0) s.listDone = true;
        return null;
      }
      const lead = claim.lead;
      calls.set(lead.callId, { callId: lead.callId, leadId: lead.leadId, attemptNo: lead.attemptNo, since: Date.now(), agentId, preview: true });
      // The campaign stopped while the lead was being taken: it is given back with the others.
      if (s.cancelled || s.finished) return null;
      if (lead.blockedBy) { // checked at hand-out and must not be called: settled, and the agent gets the next one
        receive({ callId: lead.callId, disposition: lead.refusedAs ?? 'blocked', connected: false });
        continue;
      }
      showDetails();
      return { ...lead, campaignId, offer: def.offer, script: def.script ?? null };
    }
    return null;
  }, {
    validator: ({ agentId }) => {
      if (typeof agentId !== 'string' || !agentId) throw new Error('agentId: required');
      if (def.pacing.mode !== 'preview') throw new Error(`campaign is paced ${def.pacing.mode}: the dialer hands out its calls, not agents`);
      const holding = [...calls.values()].filter((c) => c.preview && c.agentId === agentId && !c.ended).length;
      if (holding >= MAX_HELD_PER_AGENT) throw new Error(`agent '${agentId}' holds ${holding} leads already: report them first`);
      if (status() !== 'running' || s.finished || s.cancelled) throw new Error(`campaign is ${s.cancelled ? 'being cancelled' : s.finished ? 'finishing' : status()}`);
    },
  });
  const heldBy = (agentId: string, leadId: number) =>
    [...calls.values()].find((c) => c.preview && c.leadId === leadId && c.agentId === agentId && !c.ended && !c.reporting);
  setHandler(reportCallUpdate, async (report) => {
    const call = heldBy(report.agentId, report.leadId)!;
    call.reporting = true; // before the await: a second report of the same call is refused
    const r = AgentReportSchema.parse({ disposition: report.disposition, callbackAt: report.callbackAt, durationSec: report.durationSec });
    await data.recordPreviewCall({ callId: call.callId, agentId: report.agentId, ...r });
    receive({
      callId: call.callId, disposition: r.disposition, connected: CONNECTED_DISPOSITIONS.includes(r.disposition), agentId: report.agentId,
      ...(r.callbackAt ? { callbackAt: r.callbackAt } : {}),
    });
    return progress();
  }, {
    validator: (report) => {
      const parsed = AgentReportSchema.safeParse({ disposition: report.disposition, callbackAt: report.callbackAt, durationSec: report.durationSec });
      if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      if (!heldBy(report.agentId, report.leadId)) throw new Error(`lead ${report.leadId} is not held by agent '${report.agentId}'`);
    },
  });

  // Postgres and the search attribute follow the status; recorded only when it changes.
  let recorded: CampaignStatus | undefined;
  const recordStatus = async () => {
    const now = status();
    showDetails();
    if (now === recorded) return;
    recorded = now;
    upsertSearchAttributes([{ key: CampaignStatusKey, value: now }]);
    await data.setCampaignStatus({ campaignId, status: now, ...(endedBecause ? { endedBecause } : {}) });
  };
  const pct = (x: number | null | undefined) => (x === null || x === undefined ? '–' : `${(x * 100).toFixed(1)}%`);
  const showDetails = () => {
    const p = pacingState;
    const agents = p?.pool ? `${p.pool.available} of ${p.pool.agents} agents free, ${p.pool.ringing} ringing` : def.team ? `team ${def.team}` : 'no team (unattended)';
    setCurrentDetails(
      `**${def.name}** · ${status()}${s.paused ? ' (paused: no new calls)' : ''}\n\n` +
        `| listed | attempts | connected | abandoned | accepted | ordered | in flight |\n|---|---|---|---|---|---|---|\n` +
        `| ${s.listed} | ${s.attempts} | ${s.connected} | ${s.abandoned} | ${s.accepted} | ${s.ordered} | ${inFlight()} |\n\n` +
        `Pacing: **${def.pacing.mode}**` +
        (def.pacing.mode === 'predictive' ? ` · ${p?.ratio ?? def.pacing.callsPerAgent} calls per free agent · abandon rate ${pct(p?.abandonRate)} (cap ${pct(def.pacing.maxAbandonRate)})` : '') +
        ` · ${agents}${p ? ` · limited by ${p.limitedBy}` : ''}\n\n` +
        `At most ${def.dialing.maxConcurrentCalls} calls at once, ${def.dialing.maxAttempts} attempts per lead; ` +
        `calls ${def.window.start}–${def.window.end} local time. Run ${s.run + 1}.`,
    );
  };

  // Scheduled launch: wait (durably) for the start time; a cancel meanwhile ends it before any call.
  if (!carried && def.startAt && Date.parse(def.startAt) > Date.now()) {
    s.scheduled = true;
    await recordStatus();
    await condition(() => s.cancelled, Date.parse(def.startAt) - Date.now());
    s.scheduled = false;
    if (s.cancelled) {
      endedBecause = 'cancelled';
      s.pulling = false;
      await recordStatus();
      return progress();
    }
  }
  await recordStatus();
  if (s.pulling) {
    const pulled = await listPull.pullList({ campaignId, segment: def.segment, offerCode: def.offer.code, contactCap: def.contactCap });
    s.listed = pulled.listed;
    s.pulling = false;
  }

  const info = workflowInfo();
  const handOverDue = () => info.continueAsNewSuggested || workflowInfo().historyLength >= historyLimit;
  const carry = (): CarriedState => ({
    listed: s.listed, attempts: s.attempts, connected: s.connected, accepted: s.accepted,
    ordered: s.ordered, abandoned: s.abandoned, paused: s.paused, run: s.run + 1, ...(stops.length ? { stops } : {}),
    ...(calls.size ? { calls: [...calls.values()] } : {}), ...(ended.length ? { ended } : {}),
  });

  /**
   * The start of every turn of the loop: a failure ends the run, people's stops are applied, and
   * the quota or end date finishes the campaign (true: stop the loop). Then the status is recorded.
   */
  const stopsAndEnd = async (): Promise<boolean> => {
    if (fatal) throw fatal;
    if (stops.length) await data.stopLeads({ campaignId, stops: stops.splice(0) });
    const stop = stopReason(def, s.accepted, Date.now());
    if (stop) {
      endedBecause = stop;
      s.finished = true;
      return true;
    }
    await recordStatus();
    return false;
  };

  if (!patched(CALLS_BY_SIGNAL)) return legacyDialing();

  // ---- The dialing loop: claim what the pacing allows, place it in one batch, settle what ended ----

  // Settling: the retry rule's verdict for each ended call, written in batches (with the next claim
  // when there is one: one activity instead of two), then the counters and the orders.
  let ordering = 0;
  const verdicts = (): { batch: CallEnded[]; settled: SettledCall[] } => {
    const batch = ended.splice(0, SETTLE_BATCH);
    const settled = batch.map((o): SettledCall => {
      const call = calls.get(o.callId)!;
      const step = nextLeadStep(o.disposition, call.attemptNo, def.dialing, o.callbackAt);
      return {
        leadId: call.leadId, attemptNo: call.attemptNo, callId: o.callId, disposition: o.disposition, step,
        ...(o.agentId ? { agentId: o.agentId } : {}),
      };
    });
    return { batch, settled };
  };
  const settled = (batch: CallEnded[]) => {
    for (const o of batch) {
      const call = calls.get(o.callId)!;
      calls.delete(o.callId);
      if (o.disposition !== 'not-placed') s.attempts++;
      if (o.connected) s.connected++;
      if (o.disposition === 'abandoned') s.abandoned++;
      if (o.disposition === 'accepted') {
        // The order starts beside the loop; a failure to start it is the campaign's failure.
        ordering++;
        data.startOrder({ campaignId, leadId: call.leadId, offer: def.offer, policy: def.orders })
          .then(() => { s.ordered++; })
          .catch((err) => { fatal ??= err; })
          .finally(() => { ordering--; });
      }
    }
  };
  const settle = async () => {
    while (ended.length) {
      const { batch, settled: items } = verdicts();
      await data.settleCalls({ calls: items });
      settled(batch);
    }
  };

  // Calls whose end never came: the contact log may have it (a lost signal); past the limit, given up.
  const waiting = () => [...calls.values()].filter((c) => !c.ended);
  const lateBy = (c: LiveCall) => Date.now() - c.since - (c.preview ? PREVIEW_HOLD_MS : CALL_TIMEOUT_MS);
  const hasOverdue = () => waiting().some((c) => lateBy(c) >= 0);
  /** Milliseconds until the next call is overdue (at least a second); undefined when none waits. */
  const overdueIn = (): number | undefined => {
    const w = waiting();
    return w.length ? Math.max(1_000, -Math.max(...w.map(lateBy))) : undefined;
  };
  const giveUp = async (late: LiveCall[]) => {
    if (!late.length) return;
    const { outcomes } = await data.collectOutcomes({ callIds: late.map((c) => c.callId), giveUp: late.map((c) => c.callId) });
    for (const o of outcomes) receive(toCallEnded(o));
  };
  /**
   * Overdue calls: a lead an agent held too long is taken back; a dialer call is looked up at the
   * dialer: still going (its clock restarts), ended (its outcome was lost on the way), or unknown
   * to the dialer (never placed, given up).
   */
  const collectOverdue = async () => {
    const late = waiting().filter((c) => lateBy(c) >= 0);
    const held = late.filter((c) => c.preview);
    const dialed = late.filter((c) => !c.preview);
    if (dialed.length) {
      const status = await dialer.dialerCallStatus({ callIds: dialed.map((c) => c.callId) });
      for (const id of status.live) calls.get(id)!.since = Date.now();
      for (const o of status.outcomes) receive(toCallEnded(o));
      held.push(...dialed.filter((c) => status.unknown.includes(c.callId)));
    }
    await giveUp(held);
  };

  let placing = 0;
  const place = async (leads: ClaimedLead[]) => {
    // Known before the dialer hears of them, so an end that comes back at once is not missed.
    const batch = leads.map((l) => ({ callId: salesCallId(campaignId, l.leadId, l.attemptNo), leadId: l.leadId, attemptNo: l.attemptNo, ...(l.agentId ? { agentId: l.agentId } : {}) }));
    for (const c of batch) calls.set(c.callId, { ...c, since: Date.now() });
    let results: PlacedCall[];
    try {
      ({ results } = await dialer.placeCalls({ campaignId, ...(def.team ? { team: def.team } : {}), contactCap: def.contactCap, window: def.window, calls: batch }));
    } catch (err) {
      if (isCancellation(err)) throw err;
      results = batch.map((c) => ({ callId: c.callId, status: 'not-placed', reason: String(err) }));
    }
    for (const r of results) {
      if (r.status === 'ended') receive(toCallEnded(r.outcome));
      else if (r.status === 'not-placed') receive({ callId: r.callId, disposition: 'not-placed', connected: false });
      else { const call = calls.get(r.callId); if (call) call.since = Date.now(); } // its clock starts when the dialer has it
    }
  };

  let background = 0; // bumped when a background placement ends
  /** Calls still ringing or held: the ones that use a slot (an ended call frees its slot at once). */
  const live = () => calls.size - [...calls.values()].filter((c) => c.ended).length;

  while (!s.cancelled && !handOverDue()) {
    if (await stopsAndEnd()) break;
    if (hasOverdue()) await collectOverdue();
    const seen = { settings: s.settings, background };
    const woken = () => ended.length > 0 || s.cancelled || stops.length > 0 || s.settings !== seen.settings
      || background !== seen.background || s.listDone;
    let wait: number | undefined;
    const free = def.dialing.maxConcurrentCalls - live();
    // Paced by agents, the next claim waits for the last batch to reach the dialer: its calls
    // count as ringing there, and the pacing must see them.
    const claiming = !s.paused && def.pacing.mode !== 'preview' && free > 0 && !(def.team && placing > 0);
    if (!claiming && ended.length) await settle();
    if (s.paused) {
      s.listDone = false; // looked at again after the resume
      await waitFor(() => !s.paused || s.cancelled || stops.length > 0 || ended.length > 0 || s.settings !== seen.settings, undefined);
      continue;
    }
    if (def.pacing.mode === 'preview') {
      if (calls.size === 0) {
        // Anything left for agents? (A claim of nothing answers whether the list is finished.)
        const probe = await data.claimDueLeads({ campaignId, limit: 0, claimId: `${info.runId}-${++claimSeq}`, window: def.window });
        if (probe.open === 0) s.listDone = true;
      }
      if (s.listDone && calls.size === 0) {
        endedBecause = 'list finished';
        s.finished = true;
        break;
      }
      s.listDone = false;
      await waitFor(woken, undefined);
      continue;
    }
    if (claiming) {
      const { batch, settled: items } = verdicts();
      const claim = await data.claimDueLeads({
        campaignId, limit: free, claimId: `${info.runId}-${++claimSeq}`, window: def.window,
        callbackGraceSeconds: def.dialing.callbackGraceSeconds,
        pacing: { pacing: def.pacing, ...(def.team ? { team: def.team } : {}), maxConcurrentCalls: def.dialing.maxConcurrentCalls, inFlight: live() },
        ...(items.length ? { settle: items } : {}),
      });
      settled(batch);
      if (claim.pacing) pacingState = claim.pacing;
      // Placed in the background: the loop goes on settling and claiming while the dialer takes them.
      if (claim.leads.length) {
        placing++;
        place(claim.leads).catch((err) => { fatal ??= err; }).finally(() => { placing--; background++; });
      }
      if (claim.leads.length === 0 && calls.size === 0 && ended.length === 0 && placing === 0 && claim.open === 0) {
        endedBecause = 'list finished';
        s.finished = true;
        break;
      }
      if (claim.leads.length === free) continue; // every slot filled: claim again when one frees
      if (claim.pacing?.limitedBy === 'free agents') wait = AGENT_POLL_MS;
      // A lead due but not callable (a callback waiting for its busy agent) must not make it spin.
      else if (claim.nextDueInMs !== null) wait = Math.min(Math.max(claim.nextDueInMs, claim.leads.length ? 200 : 2_000), 60_000);
    }
    // Wait for a call to end, the next lead to fall due, an agent to free up, or a person's control.
    await waitFor(woken, wait);
  }

  // Batches being placed and orders being started finish first: what they answered belongs to this run.
  await condition(() => placing === 0 && ordering === 0);
  if (fatal) throw fatal;
  if (!s.cancelled && !s.finished && patched(QUIET_HANDOVER)) {
    // Hand over at a quiet moment: no new call, and the calls in flight get a few seconds to end.
    // A call's end that arrives while the run completes makes the server refuse the completion,
    // and the worker then replays the whole run (seconds of CPU at 3,000 events) to take it.
    await condition(() => waiting().every((c) => c.preview) || s.cancelled || fatal !== undefined, QUIET_HANDOVER_MS);
    if (fatal) throw fatal;
  }
  if (!s.cancelled && !s.finished) {
    // Hand over: calls still ringing go with the state; their ends reach the new run as signals.
    await condition(allHandlersFinished);
    await recordStatus();
    return continueAsNew<typeof campaignWorkflow>({ definition: def, historyLimit, carried: carry() });
  }
  // Leads agents hold in preview are taken back at once (after any hand-out under way); calls
  // already ringing finish and are settled.
  await condition(allHandlersFinished);
  await giveUp(waiting().filter((c) => c.preview));
  for (;;) {
    await settle();
    if (!calls.size) break;
    await condition(() => ended.length > 0, overdueIn()!);
    await collectOverdue();
  }
  await condition(() => ordering === 0);
  if (fatal) throw fatal;
  if (stops.length) await data.stopLeads({ campaignId, stops: stops.splice(0) });
  if (s.cancelled) endedBecause = 'cancelled';
  if (endedBecause !== 'list finished') await data.releaseLeads({ campaignId }); // cancelled, quota or end date
  await recordStatus();
  await condition(allHandlersFinished);
  return progress();

  /** Waits until `wake` holds, at most `ms` (or to the end date, whichever is sooner). */
  async function waitFor(wake: () => boolean, ms: number | undefined): Promise<void> {
    const end = untilEnd();
    const overdue = overdueIn();
    const limits = [ms, end, overdue].filter((x): x is number => x !== undefined);
    const orFatal = () => wake() || fatal !== undefined;
    if (limits.length) await condition(orFatal, Math.min(...limits));
    else await condition(orFatal);
  }

  // ---- Campaigns started before CALLS_BY_SIGNAL: one waiting activity per call --------------------
  // Kept so their recorded histories replay; such a run switches to the loop above at its next hand-over.
  async function legacyDialing(): Promise<CampaignProgress> {
    const dialLead = async (lead: ClaimedLead): Promise<void> => {
      const callId = salesCallId(campaignId, lead.leadId, lead.attemptNo);
      let disposition: AttemptDisposition = 'not-placed';
      let callbackAt: string | undefined;
      try {
        const outcome = await telephony.placeCall({
          callId, purpose: 'sales', campaignId, leadId: lead.leadId, attemptNo: lead.attemptNo, contactCap: def.contactCap,
        });
        disposition = outcome.disposition;
        callbackAt = outcome.callbackAt;
        s.attempts++;
        if (outcome.connected) s.connected++;
      } catch (err) {
        if (isCancellation(err)) throw err;
      }
      const step = nextLeadStep(disposition, lead.attemptNo, def.dialing, callbackAt);
      await data.settleAttempt({ leadId: lead.leadId, attemptNo: lead.attemptNo, callId, disposition, step });
      if (disposition === 'accepted') {
        s.accepted++;
        await data.startOrder({ campaignId, leadId: lead.leadId, offer: def.offer, policy: def.orders });
        s.ordered++;
      }
    };
    const launch = (lead: ClaimedLead) => {
      s.inFlight++;
      dialLead(lead)
        .catch((err) => { fatal ??= err; })
        .finally(() => { s.inFlight--; s.callsEnded++; showDetails(); });
    };

    while (!s.cancelled && !handOverDue()) {
      if (await stopsAndEnd()) break;
      if (s.paused) {
        const end = untilEnd();
        const resumeOrStop = () => !s.paused || s.cancelled || stops.length > 0;
        if (end === undefined) await condition(resumeOrStop);
        else await condition(resumeOrStop, end);
        continue;
      }
      const endedBefore = s.callsEnded;
      const free = def.dialing.maxConcurrentCalls - s.inFlight;
      let nextDueInMs: number | null = null;
      if (free > 0) {
        const claim = await data.claimDueLeads({ campaignId, limit: free, claimId: `${info.runId}-${++claimSeq}`, window: def.window });
        claim.leads.forEach(launch);
        if (claim.leads.length === 0 && s.inFlight === 0 && claim.open === 0) {
          endedBecause = 'list finished';
          s.finished = true;
          break;
        }
        nextDueInMs = claim.nextDueInMs;
        if (claim.leads.length === free) continue; // all slots filled: claim again when one frees
      }
      // Wait for a call to end (a slot frees), the next lead to fall due, or a person's control.
      const dueIn = nextDueInMs === null ? undefined : Math.min(Math.max(nextDueInMs, 200), 60_000);
      const end = untilEnd();
      const timeout = dueIn === undefined ? end : end === undefined ? dueIn : Math.min(dueIn, end);
      const wake = () => s.callsEnded !== endedBefore || s.paused || s.cancelled || stops.length > 0 || fatal !== undefined;
      if (timeout === undefined) await condition(wake);
      else await condition(wake, timeout);
    }

    // Calls already ringing finish and are recorded before the run ends or hands over.
    await condition(() => s.inFlight === 0);
    if (fatal) throw fatal;
    if (s.cancelled) {
      endedBecause = 'cancelled';
      await data.releaseLeads({ campaignId });
    } else if (s.finished && endedBecause !== 'list finished') {
      await data.releaseLeads({ campaignId }); // stopped at its quota or end date
    } else if (!s.finished) {
      await condition(allHandlersFinished);
      await recordStatus();
      return continueAsNew<typeof campaignWorkflow>({ definition: def, historyLimit, carried: carry() });
    }
    if (stops.length) await data.stopLeads({ campaignId, stops: stops.splice(0) });
    await recordStatus();
    await condition(allHandlersFinished);
    return progress();
  }
}

/** A call's outcome (from the dialer or the contact log) as the campaign's call-end message. */
export function toCallEnded(o: CallOutcome): CallEnded {
  return {
    callId: o.callId, disposition: o.disposition, connected: o.connected,
    ...(o.callbackAt ? { callbackAt: o.callbackAt } : {}), ...(o.agentId ? { agentId: o.agentId } : {}),
  };
}
