import {
  ActivityFailure,
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
import { Outages, type Outage } from '../domain/outages';
import { CampaignStatusKey } from './search-attributes';
import {
  CALLS_BY_SIGNAL, DEFAULT_HISTORY_LIMIT, FRESH_HANDOVER_CHECK, LAUNCH_RECORDS_ROW, QUIET_HANDOVER, RIDE_OUT_OUTAGES, SAFE_HANDOVER,
  callEndedSignal, cancelUpdate, nextLeadUpdate, pauseUpdate, progressQuery, reportCallUpdate, resumeUpdate, stopLeadSignal,
  toCallEnded, updateDialingUpdate, updateSettingsUpdate,
  type CallEnded, type CampaignProgress, type CampaignWorkflowInput, type CancelRequest, type CarriedState, type LiveCall,
  type SettingsChangeMessage,
} from './campaign/messages';

// Messages, input and patch names moved to ./campaign/messages (the module the API imports).
export * from './campaign/messages';
import { data, telephony } from './activity-proxies';
import { isOutage, riddenOut, rideOut } from './campaign-outages';
import { outageBackoffMs } from '../domain/outages';

// Placing a batch of calls takes a moment (the dialer answers at once; outcomes come by signal).
// A dialer outage is retried a few times; the last attempt reports what is still refused as not placed.
const dialer = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '2s', maximumInterval: '30s', maximumAttempts: PLACE_CALLS_MAX_ATTEMPTS },
});
// Placing through an outage: a dialer that takes none of a batch within ~12 s is called down (and
// the batch tried again later, see rideOut) instead of answering its calls as not placed.
const dialerTries = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1s', maximumInterval: '5s', maximumAttempts: PLACE_CALLS_MAX_ATTEMPTS },
});
// The dialing loop's Postgres work, tried for ~15 s before the loop calls it an outage (and says so).
const dataTries = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1s', maximumInterval: '10s', maximumAttempts: 4 },
});

// ---- Activities, grouped by the kind of side effect ------------------------------------------

const listPull = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  retry: { initialInterval: '5s', maximumInterval: '1 minute' },
  summary: 'list pull: segment → leads',
});

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
    leadFailures: carried?.leadFailures ?? 0,
    /** Between the loop's end and continue-as-new: new agent work is refused (retry in a second). */
    handingOver: false,
    cancelInfo: undefined as { at: string; reason: string } | undefined,
  };
  const outages = new Outages(carried?.outages);
  /** The Postgres work of the loop: ridden out through an outage once RIDE_OUT_OUTAGES holds. */
  let store: typeof data = data;
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
    outages: outages.all, leadFailures: s.leadFailures, handingOver: s.handingOver,
    ...(s.cancelInfo ? { cancelled: s.cancelInfo } : {}),
  });

  setHandler(progressQuery, progress);
  setHandler(stopLeadSignal, (stop) => { stops.push(stop); });
  const refuse = (action: 'pause' | 'resume' | 'cancel') => () => {
    const why = s.cancelled ? 'campaign is being cancelled' : controlRefusal(action, status());
    if (why) throw new Error(why);
  };
  setHandler(pauseUpdate, () => { s.paused = true; return progress(); }, { validator: refuse('pause') });
  setHandler(resumeUpdate, () => { s.paused = false; return progress(); }, { validator: refuse('resume') });
  setHandler(cancelUpdate, (req: CancelRequest | undefined) => { // undefined from callers before the reason
    s.cancelled = true;
    s.cancelInfo = { at: new Date().toISOString(), reason: req?.reason ?? 'no reason given' };
    showDetails();
    return progress();
  }, { validator: (_req: CancelRequest | undefined) => refuse('cancel')() });
  /** New agent work waits while the run hands over, so the hand-over cannot starve. */
  const refuseWhileHandingOver = () => {
    if (s.handingOver) throw new Error('handing over, retry in a second');
  };

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
  const validateSettings = (change: SettingsChangeMessage, prefix: string[] = []) => {
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
      refuseWhileHandingOver();
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
      refuseWhileHandingOver();
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
    await store.setCampaignStatus({ campaignId, status: now, ...(endedBecause ? { endedBecause } : {}) });
  };
  const pct = (x: number | null | undefined) => (x === null || x === undefined ? '–' : `${(x * 100).toFixed(1)}%`);
  const showDetails = () => {
    const p = pacingState;
    const agents = p?.pool ? `${p.pool.available} of ${p.pool.agents} agents free, ${p.pool.ringing} ringing` : def.team ? `team ${def.team}` : 'no team (unattended)';
    // Every run says what the campaign is (the summary set at start shows on the first run only).
    const notes = [
      s.cancelInfo ? `**Cancelled** at ${s.cancelInfo.at.slice(0, 16).replace('T', ' ')} UTC: ${s.cancelInfo.reason}.` : '',
      s.handingOver ? `Handing over to run ${s.run + 2}: agents are asked to retry in a second.` : '',
      outages.describe(),
      s.leadFailures ? `${s.leadFailures} lead${s.leadFailures === 1 ? '' : 's'} failed (GET /campaigns/${campaignId}/lead-failures says why).` : '',
    ].filter(Boolean).map((line) => `${line}\n\n`).join('');
    setCurrentDetails(
      `**${def.name}**: ${def.offer.name} (${def.offer.code}) · ${status()}${s.paused ? ' (paused: no new calls)' : ''}\n\n` + notes +
        `| listed | attempts | connected | abandoned | accepted | ordered | in flight |\n|---|---|---|---|---|---|---|\n` +
        `| ${s.listed} | ${s.attempts} | ${s.connected} | ${s.abandoned} | ${s.accepted} | ${s.ordered} | ${inFlight()} |\n\n` +
        `Pacing: **${def.pacing.mode}**` +
        (def.pacing.mode === 'predictive' ? ` · ${p?.ratio ?? def.pacing.callsPerAgent} calls per free agent · abandon rate ${pct(p?.abandonRate)} (cap ${pct(def.pacing.maxAbandonRate)})` : '') +
        ` · ${agents}${p ? ` · limited by ${p.limitedBy}` : ''}\n\n` +
        `At most ${def.dialing.maxConcurrentCalls} calls at once, ${def.dialing.maxAttempts} attempts per lead; ` +
        `calls ${def.window.start}–${def.window.end} local time. Run ${s.run + 1}.`,
    );
  };

  // The API writes the row after starting this workflow, and may die in between: the first run makes sure of it.
  if (!carried && patched(LAUNCH_RECORDS_ROW)) {
    await data.recordLaunch({ definition: input.definition, idempotencyKey: input.idempotencyKey ?? null });
  }

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
  // Read fresh: workflowInfo() is a copy, and the server's suggestion comes with a later task.
  const freshCheck = patched(FRESH_HANDOVER_CHECK);
  const handOverDue = () => (freshCheck ? workflowInfo() : info).continueAsNewSuggested || workflowInfo().historyLength >= historyLimit;
  const carry = (): CarriedState => ({
    listed: s.listed, attempts: s.attempts, connected: s.connected, accepted: s.accepted,
    ordered: s.ordered, abandoned: s.abandoned, paused: s.paused, run: s.run + 1, ...(stops.length ? { stops } : {}),
    ...(calls.size ? { calls: [...calls.values()] } : {}), ...(ended.length ? { ended } : {}),
    ...(outages.all.length ? { outages: outages.all } : {}), ...(s.leadFailures ? { leadFailures: s.leadFailures } : {}),
  });

  /**
   * The start of every turn of the loop: a failure ends the run, people's stops are applied, and
   * the quota or end date finishes the campaign (true: stop the loop). Then the status is recorded.
   */
  const stopsAndEnd = async (): Promise<boolean> => {
    if (fatal) throw fatal;
    if (stops.length) await store.stopLeads({ campaignId, stops: stops.splice(0) });
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
  const riding = patched(RIDE_OUT_OUTAGES);
  const safeHandover = patched(SAFE_HANDOVER);
  if (riding) store = riddenOut(outages, 'database', dataTries, showDetails);

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
        // The order starts beside the loop. Ridden out, an order that cannot start (refused for
        // good) is that lead's failure, recorded on it; before, it was the campaign's.
        ordering++;
        const order = { campaignId, leadId: call.leadId, offer: def.offer, policy: def.orders };
        (riding ? store.startOrder(order) : data.startOrder(order))
          .then(() => { s.ordered++; }, (err: unknown) => {
            if (!riding || !(err instanceof ActivityFailure)) throw err;
            return leadFailed(call.leadId, err);
          })
          .catch((err) => { fatal ??= err; })
          .finally(() => { ordering--; });
      }
    }
  };
  const leadFailed = async (leadId: number, err: ActivityFailure) => {
    const reason = (err.cause as Error | undefined)?.message ?? err.message;
    await store.recordLeadFailure({ campaignId, leadId, stage: 'order', reason: `the order could not start: ${reason}` });
    s.leadFailures++;
    showDetails();
  };
  const settle = async () => {
    while (ended.length) {
      const { batch, settled: items } = verdicts();
      await store.settleCalls({ calls: items });
      settled(batch);
    }
  };

  // Calls whose end never came: the contact log may have it (a lost signal); past the limit, given up.
  const waiting = () => [...calls.values()].filter((c) => !c.ended && !c.unplaced);
  const lateBy = (c: LiveCall) => Date.now() - c.since - (c.preview ? PREVIEW_HOLD_MS : CALL_TIMEOUT_MS);
  const hasOverdue = () => waiting().some((c) => lateBy(c) >= 0);
  /** Milliseconds until the next call is overdue (at least a second); undefined when none waits. */
  const overdueIn = (): number | undefined => {
    const w = waiting();
    return w.length ? Math.max(1_000, -Math.max(...w.map(lateBy))) : undefined;
  };
  const giveUp = async (late: LiveCall[]) => {
    if (!late.length) return;
    const { outcomes } = await store.collectOutcomes({ callIds: late.map((c) => c.callId), giveUp: late.map((c) => c.callId) });
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
      let status: Awaited<ReturnType<typeof dialer.dialerCallStatus>>;
      try {
        status = await dialer.dialerCallStatus({ callIds: dialed.map((c) => c.callId) });
        if (riding && outages.answered('dialer')) showDetails();
      } catch (err) {
        if (!riding || !isOutage(err)) throw err;
        // The dialer is down too: the calls are looked up again after the backoff, never given up for it.
        const outage = outages.failed('dialer', (err.cause as Error | undefined)?.message ?? err.message, Date.now());
        for (const c of dialed) c.since = Date.now() - CALL_TIMEOUT_MS + outageBackoffMs(outage.retries);
        showDetails();
        await giveUp(held);
        return;
      }
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
    for (const c of batch) calls.set(c.callId, { ...c, since: Date.now(), ...(riding ? { unplaced: true } : {}) });
    const request = { campaignId, ...(def.team ? { team: def.team } : {}), contactCap: def.contactCap, window: def.window, calls: batch };
    let results: PlacedCall[];
    try {
      if (riding) {
        // Through a dialer outage: tried again until it answers, unless the campaign is cancelled
        // (then not placed) or hands over (then the next run places them).
        const placed = await rideOut(outages, 'dialer', () => dialerTries.placeCalls({ ...request, holdWhenUnreachable: true }), {
          changed: showDetails, stop: () => s.cancelled || s.handingOver,
        });
        if (!placed && !s.cancelled) return;
        results = placed?.results ?? batch.map((c) => ({ callId: c.callId, status: 'not-placed', reason: 'cancelled while the dialer was down' }));
        for (const c of batch) { const call = calls.get(c.callId); if (call) delete call.unplaced; }
      } else {
        ({ results } = await dialer.placeCalls(request));
      }
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

  const placeInBackground = (leads: ClaimedLead[]) => {
    placing++;
    place(leads).catch((err) => { fatal ??= err; }).finally(() => { placing--; background++; });
  };
  // Calls the previous run could not place (the dialer was down) are placed first.
  const unplaced = [...calls.values()].filter((c) => c.unplaced);
  if (unplaced.length) placeInBackground(unplaced.map((c) => ({ leadId: c.leadId, attemptNo: c.attemptNo, ...(c.agentId ? { agentId: c.agentId } : {}) })));

  while (!s.cancelled && !handOverDue()) {
    if (await stopsAndEnd()) break;
    if (hasOverdue()) await collectOverdue();
    const seen = { settings: s.settings, background };
    // Ridden out, a long outage grows the history while the loop waits: the hand-over wakes it.
    const woken = () => ended.length > 0 || s.cancelled || stops.length > 0 || s.settings !== seen.settings
      || background !== seen.background || s.listDone || (riding && handOverDue());
    let wait: number | undefined;
    const free = def.dialing.maxConcurrentCalls - live();
    // Paced by agents, the next claim waits for the last batch to reach the dialer: its calls
    // count as ringing there, and the pacing must see them.
    const claiming = !s.paused && def.pacing.mode !== 'preview' && free > 0 && !(def.team && placing > 0)
      && !(riding && outages.isDown('dialer')); // no new calls while the dialer is down
    if (!claiming && ended.length) await settle();
    if (s.paused) {
      s.listDone = false; // looked at again after the resume
      await waitFor(() => !s.paused || s.cancelled || stops.length > 0 || ended.length > 0 || s.settings !== seen.settings, undefined);
      continue;
    }
    if (def.pacing.mode === 'preview') {
      if (calls.size === 0) {
        // Anything left for agents? (A claim of nothing answers whether the list is finished.)
        const probe = await store.claimDueLeads({ campaignId, limit: 0, claimId: `${info.runId}-${++claimSeq}`, window: def.window });
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
      const claim = await store.claimDueLeads({
        campaignId, limit: free, claimId: `${info.runId}-${++claimSeq}`, window: def.window,
        callbackGraceSeconds: def.dialing.callbackGraceSeconds,
        pacing: { pacing: def.pacing, ...(def.team ? { team: def.team } : {}), maxConcurrentCalls: def.dialing.maxConcurrentCalls, inFlight: live() },
        ...(items.length ? { settle: items } : {}),
      });
      settled(batch);
      if (claim.pacing) pacingState = claim.pacing;
      // Placed in the background: the loop goes on settling and claiming while the dialer takes them.
      if (claim.leads.length) placeInBackground(claim.leads);
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

  if (safeHandover && !s.cancelled && !s.finished) {
    s.handingOver = true; // agents asked to retry in a second; calls the dialer has not taken go along
    showDetails();
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
    if (!safeHandover) {
      await condition(allHandlersFinished);
      await recordStatus();
      return continueAsNew<typeof campaignWorkflow>({ definition: def, historyLimit, carried: carry() });
    }
    await recordStatus();
    // The last await: whatever a handler changed until now (a pause, a report) is carried.
    await condition(allHandlersFinished);
    if (!s.cancelled) return continueAsNew<typeof campaignWorkflow>({ definition: def, historyLimit, carried: carry() });
    s.handingOver = false; // a cancel came during the hand-over: this run ends the campaign
  }
  // Leads agents hold in preview are taken back at once (after any hand-out under way); calls
  // already ringing finish and are settled; calls the dialer never took are not placed.
  await condition(allHandlersFinished);
  for (const c of [...calls.values()]) if (c.unplaced) receive({ callId: c.callId, disposition: 'not-placed', connected: false });
  await giveUp(waiting().filter((c) => c.preview));
  for (;;) {
    await settle();
    if (!calls.size) break;
    await condition(() => ended.length > 0, overdueIn()!);
    await collectOverdue();
  }
  await condition(() => ordering === 0);
  if (fatal) throw fatal;
  if (stops.length) await store.stopLeads({ campaignId, stops: stops.splice(0) });
  if (s.cancelled) endedBecause = 'cancelled';
  if (endedBecause !== 'list finished') await store.releaseLeads({ campaignId }); // cancelled, quota or end date
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
