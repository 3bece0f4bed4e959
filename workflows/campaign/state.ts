import type { PacingState, SettledCall } from '../../activities/campaign/leads';
import { controlRefusal, stopReason, type CampaignDefinition, type CampaignStatus, type EndReason } from '../../domain/campaign/campaign';
import { withWindowDefaults } from '../../domain/campaign/definition';
import { nextLeadStep } from '../../domain/campaign/dialing';
import { Outages } from '../../domain/campaign/outages';
import type { FunnelReading } from '../../domain/reports/funnel';
import type { Actor } from '../../domain/access/roles';
import type { CallEnded, CarriedState, LastControl, LeadStop, LiveCall, SettingsChangeMessage } from './messages';

/** A placed call with no outcome after this long is looked up in the contact log, then given up. */
export const CALL_TIMEOUT_MS = 15 * 60_000;
/** A lead an agent took in preview and never reported on goes back to the queue after this long. */
const PREVIEW_HOLD_MS = 30 * 60_000;

const defined = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

/**
 * A run of the campaign as data: its counters and controls, the calls not settled yet, the ends
 * received for them, people's stops and the outages; what is carried to the next run. Plain
 * methods, no Temporal: the workflow's phases call them, test/unit/campaign-state.test.ts too.
 */
export class CampaignState {
  listed: number;
  attempts: number;
  connected: number;
  accepted: number;
  ordered: number;
  abandoned: number;
  leadFailures: number;
  paused: boolean;
  run: number;
  cancelled = false;
  finished = false;
  pulling: boolean;
  scheduled = false;
  /** Legacy loop only: calls in flight, each an activity. */
  legacyInFlight = 0;
  callsEnded = 0;
  /** Bumped by every settings change, so a waiting loop looks again. */
  settings = 0;
  /** Preview: an agent found no unfinished lead left. */
  listDone = false;
  /** Between the loop's end and continue-as-new: new agent work is refused (retry in a second). */
  handingOver = false;
  cancelInfo: { at: string; reason: string; by?: Actor } | undefined;
  lastControl: LastControl | undefined;
  endedBecause: EndReason | undefined;
  pacingState: PacingState | null = null;
  /** The status last written to Postgres and the search attribute. */
  recorded: CampaignStatus | undefined;
  readonly outages: Outages;
  readonly stops: LeadStop[];
  /** The new loop's calls not settled yet, by call id, and the ends received for them. */
  readonly calls: Map<string, LiveCall>;
  readonly ended: CallEnded[];
  // Work under way beside the loop, and the first failure of it (it ends the run).
  fatal: unknown;
  placing = 0;
  ordering = 0;
  /** Bumped when a background placement ends. */
  background = 0;
  claimSeq = 0;
  /** The funnel as the reporting module last answered (see funnel.ts), and whether a reading is under way. */
  funnel: FunnelReading | undefined;
  funnelReading = false;
  /** The counters' mark at the last reading: no new reading while nothing moved. */
  funnelMark = '';
  /** When a reading was last tried (workflow time), read or failed. */
  funnelTriedAt = 0;

  constructor(readonly def: CampaignDefinition, carried?: CarriedState) {
    this.listed = carried?.listed ?? 0;
    this.attempts = carried?.attempts ?? 0;
    this.connected = carried?.connected ?? 0;
    this.accepted = carried?.accepted ?? 0;
    this.ordered = carried?.ordered ?? 0;
    this.abandoned = carried?.abandoned ?? 0;
    this.leadFailures = carried?.leadFailures ?? 0;
    this.paused = carried?.paused ?? false;
    this.run = carried?.run ?? 0;
    this.pulling = !carried;
    this.outages = new Outages(carried?.outages);
    this.stops = [...(carried?.stops ?? [])];
    this.calls = new Map((carried?.calls ?? []).map((c) => [c.callId, c]));
    this.ended = [...(carried?.ended ?? [])];
    this.funnel = carried?.funnel;
    this.funnelTriedAt = carried?.funnel ? Date.parse(carried.funnel.asOf) : 0;
    this.lastControl = carried?.lastControl;
  }

  get campaignId(): string {
    return this.def.id;
  }

  inFlight(): number {
    return this.legacyInFlight + this.calls.size;
  }

  status(): CampaignStatus {
    if (this.cancelled) return this.inFlight() > 0 ? 'running' : 'cancelled';
    if (this.finished) return this.inFlight() > 0 ? 'running' : 'completed';
    if (this.scheduled) return 'scheduled';
    if (this.pulling) return 'pulling';
    return this.paused ? 'paused' : 'running';
  }

  /** What moved since the funnel was last read, as one string: unchanged, no new reading is needed. */
  movement(): string {
    return [this.listed, this.attempts, this.calls.size, this.ended.length, this.accepted, this.ordered, this.leadFailures, this.status()].join('/');
  }

  // ---- People's controls -------------------------------------------------------------------

  /** Why a control is refused now (undefined: it may be applied). */
  refusal(action: 'pause' | 'resume' | 'cancel'): string | undefined {
    return this.cancelled ? 'campaign is being cancelled' : controlRefusal(action, this.status());
  }

  pause(at: string, by: Actor | undefined): void {
    this.paused = true;
    this.controlled('paused', at, by);
  }

  resume(at: string, by: Actor | undefined): void {
    this.paused = false;
    this.controlled('resumed', at, by);
  }

  /** Remembers the last control a person applied, and who (when the request said). */
  controlled(action: LastControl['action'], at: string, by: Actor | undefined): void {
    this.lastControl = { action, at, ...(by ? { by } : {}) };
  }

  cancel(reason: string | undefined, at: string, by?: Actor): void {
    this.cancelled = true;
    // One line in the details' markdown, whoever sent it.
    this.cancelInfo = { at, reason: reason?.replace(/\s+/g, ' ').trim().slice(0, 500) || 'no reason given', ...(by ? { by } : {}) };
  }

  /** A validated change, merged into the settings (the window replaced whole); a waiting loop looks again. */
  applySettings(change: SettingsChangeMessage): void {
    const def = this.def;
    if (change.dialing) def.dialing = { ...def.dialing, ...defined(change.dialing) };
    if (change.pacing) def.pacing = { ...def.pacing, ...defined(change.pacing) };
    if (change.window) def.window = withWindowDefaults(change.window);
    this.settings++;
  }

  stop(stop: LeadStop): void {
    this.stops.push(stop);
  }

  /** The stops to apply now (none left behind). */
  takeStops(): LeadStop[] {
    return this.stops.splice(0);
  }

  /** The quota or the end date, if either ends the campaign at `now`. */
  stopReason(now: number): EndReason | undefined {
    return stopReason(this.def, this.accepted, now);
  }

  finish(reason: EndReason): void {
    this.endedBecause = reason;
    this.finished = true;
  }

  startHandOver(): void {
    this.handingOver = true;
  }

  /** A cancel came during the hand-over: this run ends the campaign instead. */
  abandonHandOver(): void {
    this.handingOver = false;
  }

  // ---- Calls -------------------------------------------------------------------------------

  /** Calls known before the dialer hears of them, so an end that comes back at once is not missed. */
  track(batch: Omit<LiveCall, 'since'>[], now: number, unplaced: boolean): void {
    for (const c of batch) this.calls.set(c.callId, { ...c, since: now, ...(unplaced ? { unplaced: true } : {}) });
  }

  /**
   * The campaign ends with calls the dialer never answered for (it was down). It may have taken some
   * all the same, so none is written off: each becomes overdue now, to be looked up at the dialer
   * like a call whose end never came (unknown there: not placed).
   */
  confirmUnplaced(now: number): void {
    for (const c of this.calls.values()) {
      if (!c.unplaced) continue;
      delete c.unplaced;
      c.confirming = true;
      c.since = now - CALL_TIMEOUT_MS;
    }
  }

  /** Calls the end waits for the dialer to confirm (see confirmUnplaced). */
  confirming(): number {
    return [...this.calls.values()].filter((c) => c.confirming && !c.ended).length;
  }

  /** The dialer says it has these calls: their clocks restart, and they are confirmed. */
  atDialer(callIds: string[], now: number): void {
    for (const id of callIds) {
      const call = this.calls.get(id)!;
      call.since = now;
      delete call.confirming;
    }
  }

  /** Call ends: each is taken once, for a call of this campaign not yet settled. */
  receive(o: CallEnded): void {
    const call = this.calls.get(o.callId);
    if (!call || call.ended) return;
    call.ended = true;
    this.ended.push(o);
    // Counted as it comes, so the quota stops the campaign before the next claim.
    if (o.disposition === 'accepted') this.accepted++;
  }

  /** The retry rule's verdict for each of the next `limit` ended calls, to be written in one batch. */
  verdicts(limit: number): { batch: CallEnded[]; settled: SettledCall[] } {
    const batch = this.ended.splice(0, limit);
    const settled = batch.map((o): SettledCall => {
      const call = this.calls.get(o.callId)!;
      const step = nextLeadStep(o.disposition, call.attemptNo, this.def.dialing, o.callbackAt);
      return {
        leadId: call.leadId, attemptNo: call.attemptNo, callId: o.callId, disposition: o.disposition, step,
        ...(o.agentId ? { agentId: o.agentId } : {}),
      };
    });
    return { batch, settled };
  }

  /** A batch written: its calls leave, the counters count them. Answers the leads that accepted (in order). */
  settled(batch: CallEnded[]): number[] {
    const accepted: number[] = [];
    for (const o of batch) {
      const call = this.calls.get(o.callId)!;
      this.calls.delete(o.callId);
      if (o.disposition !== 'not-placed') this.attempts++;
      if (o.connected) this.connected++;
      if (o.disposition === 'abandoned') this.abandoned++;
      if (o.disposition === 'accepted') accepted.push(call.leadId);
    }
    return accepted;
  }

  /** Calls still ringing or held: the ones that use a slot (an ended call frees its slot at once). */
  live(): number {
    return this.calls.size - [...this.calls.values()].filter((c) => c.ended).length;
  }

  /** Calls whose end is awaited (the dialer has them, or an agent holds them). */
  waiting(): LiveCall[] {
    return [...this.calls.values()].filter((c) => !c.ended && !c.unplaced);
  }

  lateBy(c: LiveCall, now: number): number {
    return now - c.since - (c.preview ? PREVIEW_HOLD_MS : CALL_TIMEOUT_MS);
  }

  overdue(now: number): LiveCall[] {
    return this.waiting().filter((c) => this.lateBy(c, now) >= 0);
  }

  /** Milliseconds until the next call is overdue (at least a second); undefined when none waits. */
  overdueIn(now: number): number | undefined {
    const w = this.waiting();
    return w.length ? Math.max(1_000, -Math.max(...w.map((c) => this.lateBy(c, now)))) : undefined;
  }

  // ---- Preview -----------------------------------------------------------------------------

  /** Leads this agent holds, unreported. */
  holding(agentId: string): number {
    return [...this.calls.values()].filter((c) => c.preview && c.agentId === agentId && !c.ended).length;
  }

  heldBy(agentId: string, leadId: number): LiveCall | undefined {
    return [...this.calls.values()].find((c) => c.preview && c.leadId === leadId && c.agentId === agentId && !c.ended && !c.reporting);
  }
}
