import type { TimerHandle } from '../clock';
import { unit } from '../rand';
import type { TimerSet } from '../timers';
import type { AgentState, Duration, InboundCallStatus, InboundConfig, InboundEvent } from './contract';
import { drawSec } from './draws';

// The hotline's automatic call distributor: a FIFO queue per team, calls put through to the team's
// agent idle the longest, the caller's patience and the queue's limit, talk and wrap-up. No HTTP
// here (sim/hotline/routes.ts): time comes from the TimerSet's clock, what happens goes to `emit`.

export interface InboundCall {
  callId: string;
  ani: string;
  customerId?: number;
  reason: string;
  team: string;
  callbackUrl: string;
  status: InboundCallStatus;
  arrivedAt: number;
  offeredAt?: number;
  answeredAt?: number;
  endedAt?: number;
  abandonedAt?: number;
  agentId?: string;
  cause?: 'caller-hung-up' | 'max-wait';
  endedBy?: 'caller' | 'agent';
  wrapUpSec?: number;
  /** The one thing the call waits for now: patience, the agent's ring, or the talk's end. */
  timer?: TimerHandle;
}

export interface Agent {
  agentId: string;
  team: string;
  state: AgentState;
  /** Ready since (ms): longest idle first. */
  readySince: number;
  callId?: string;
  /** Asked while on a call: applied once the wrap-up ends. */
  next?: 'ready' | 'not-ready' | 'logged-out';
}

export interface AcdDeps {
  timers: TimerSet;
  config: () => InboundConfig;
  seed: () => string | number;
  emit: (call: InboundCall, event: InboundEvent) => void;
}

export type NewCall = Pick<InboundCall, 'callId' | 'ani' | 'customerId' | 'reason' | 'team' | 'callbackUrl'>;

const BUSY: ReadonlySet<AgentState> = new Set(['ringing', 'talking', 'wrap-up']);
const iso = (ms: number) => new Date(ms).toISOString();
const sec = (ms: number) => Math.max(0, ms) / 1000;

export class Acd {
  readonly calls = new Map<string, InboundCall>();
  readonly agents = new Map<string, Agent>();
  /** team → call ids waiting, oldest first. */
  private readonly queues = new Map<string, string[]>();
  readonly stats = { arrived: 0, identified: 0, offered: 0, answered: 0, abandoned: 0, ended: 0, endedByAgent: 0, byReason: {} as Record<string, number> };

  constructor(private readonly deps: AcdDeps) {}

  private now(): number {
    return this.deps.timers.clock.now();
  }

  /** `what`'s duration for this call, drawn from (seed, callId, what). */
  private draw(call: InboundCall, what: string, d: Duration): number {
    return drawSec(d, (n) => unit(this.deps.seed(), call.callId, what, n));
  }

  /** A call comes in: queued, and put through at once if an agent of its team is free. */
  arrive(input: NewCall): InboundCall {
    const call: InboundCall = { ...input, status: 'queued', arrivedAt: this.now() };
    this.calls.set(call.callId, call);
    this.stats.arrived += 1;
    if (call.customerId !== undefined) this.stats.identified += 1;
    this.stats.byReason[call.reason] = (this.stats.byReason[call.reason] ?? 0) + 1;
    const { patience, maxWaitSec } = this.deps.config();
    const patienceSec = this.draw(call, 'patience', patience);
    const [waitSec, cause] = patienceSec < maxWaitSec ? [patienceSec, 'caller-hung-up' as const] : [maxWaitSec, 'max-wait' as const];
    call.timer = this.deps.timers.after(waitSec * 1000, () => this.abandon(call, cause));
    this.queueOf(call.team).push(call.callId);
    this.dispatch(call.team);
    return call;
  }

  /** Calls waiting in a team's queue, oldest first. */
  queueOf(team: string): string[] {
    let queue = this.queues.get(team);
    if (!queue) this.queues.set(team, (queue = []));
    return queue;
  }

  /** Calls waiting now, all teams. */
  queued(): number {
    let n = 0;
    for (const queue of this.queues.values()) n += queue.length;
    return n;
  }

  /** The team's ready agents, the one idle the longest first (ties: by id, so runs replay). */
  freeAgents(team: string): Agent[] {
    return [...this.agents.values()]
      .filter((a) => a.team === team && a.state === 'ready')
      .sort((a, b) => a.readySince - b.readySince || a.agentId.localeCompare(b.agentId));
  }

  /** While the team has both a waiting call and a ready agent: the oldest call to the longest-idle agent. */
  private dispatch(team: string): void {
    const queue = this.queueOf(team);
    while (queue.length > 0) {
      const agent = this.freeAgents(team)[0];
      if (!agent) return;
      this.offer(this.calls.get(queue.shift()!)!, agent);
    }
  }

  private offer(call: InboundCall, agent: Agent): void {
    this.deps.timers.cancel(call.timer);
    Object.assign(call, { status: 'ringing', offeredAt: this.now(), agentId: agent.agentId });
    Object.assign(agent, { state: 'ringing', callId: call.callId });
    this.stats.offered += 1;
    this.deps.emit(call, this.event(call, 'inbound.offered'));
    call.timer = this.deps.timers.after(this.draw(call, 'agent-ring', this.deps.config().agentRing) * 1000, () => this.answer(call, agent));
  }

  private answer(call: InboundCall, agent: Agent): void {
    Object.assign(call, { status: 'talking', answeredAt: this.now() });
    agent.state = 'talking';
    this.stats.answered += 1;
    this.deps.emit(call, this.event(call, 'inbound.answered'));
    const talk = this.deps.config().reasons[call.reason]?.talk ?? { kind: 'fixed', sec: 0 };
    call.timer = this.deps.timers.after(this.draw(call, 'talk', talk) * 1000, () => this.hangUp(call, 'caller'));
  }

  private hangUp(call: InboundCall, by: 'caller' | 'agent'): void {
    this.deps.timers.cancel(call.timer);
    const agent = this.agents.get(call.agentId!)!;
    const wrapUpSec = this.draw(call, 'wrap-up', this.deps.config().wrapUp);
    Object.assign(call, { status: 'ended', endedAt: this.now(), endedBy: by, wrapUpSec, timer: undefined });
    agent.state = 'wrap-up';
    this.stats.ended += 1;
    if (by === 'agent') this.stats.endedByAgent += 1;
    this.deps.emit(call, this.event(call, 'inbound.ended'));
    this.deps.timers.after(wrapUpSec * 1000, () => this.wrappedUp(agent));
  }

  private wrappedUp(agent: Agent): void {
    const next = agent.next ?? 'ready';
    agent.callId = undefined;
    agent.next = undefined;
    if (next === 'logged-out') {
      this.agents.delete(agent.agentId);
      return;
    }
    this.become(agent, next);
  }

  private abandon(call: InboundCall, cause: 'caller-hung-up' | 'max-wait'): void {
    const queue = this.queueOf(call.team);
    const at = queue.indexOf(call.callId);
    if (at >= 0) queue.splice(at, 1);
    Object.assign(call, { status: 'abandoned', abandonedAt: this.now(), cause, timer: undefined });
    this.stats.abandoned += 1;
    this.deps.emit(call, this.event(call, 'inbound.abandoned'));
  }

  /** An idle agent's new state; becoming ready starts the idle time and takes a waiting call. */
  private become(agent: Agent, state: 'ready' | 'not-ready'): void {
    if (state === 'ready' && agent.state !== 'ready') agent.readySince = this.now();
    agent.state = state;
    if (state === 'ready') this.dispatch(agent.team);
  }

  /**
   * Log in (to `team`) or change ready / not ready. On a call the change waits for the wrap-up's
   * end; moving to another team then is refused ('on-call').
   */
  setAgent(agentId: string, team: string, state: 'ready' | 'not-ready'): Agent | 'on-call' {
    let agent = this.agents.get(agentId);
    if (agent && BUSY.has(agent.state)) {
      if (agent.team !== team) return 'on-call';
      agent.next = state;
      return agent;
    }
    if (!agent || agent.team !== team) {
      this.agents.delete(agentId);
      agent = { agentId, team, state: 'not-ready', readySince: this.now() };
      this.agents.set(agentId, agent);
    }
    this.become(agent, state);
    return agent;
  }

  /** Log out now, or after the wrap-up of the call the agent is on. False: not logged in. */
  logOut(agentId: string): boolean {
    const agent = this.agents.get(agentId);
    if (!agent) return false;
    if (BUSY.has(agent.state)) agent.next = 'logged-out';
    else this.agents.delete(agentId);
    return true;
  }

  /** The agent hangs up (our API for the agent). Ending an ended call again is fine. */
  endCall(callId: string): InboundCall | 'unknown' | 'not-talking' {
    const call = this.calls.get(callId);
    if (!call) return 'unknown';
    if (call.status === 'talking') this.hangUp(call, 'agent');
    else if (call.status !== 'ended') return 'not-talking';
    return call;
  }

  /** The webhook's body for one of the call's events, from what the call knows now. */
  event(call: InboundCall, event: InboundEvent['event']): InboundEvent {
    const facts = {
      eventId: `${call.callId}/${event}`, callId: call.callId, ani: call.ani,
      ...(call.customerId !== undefined ? { customerId: call.customerId } : {}),
      reason: call.reason, team: call.team, arrivedAt: iso(call.arrivedAt),
      queueWaitSec: sec((call.offeredAt ?? call.abandonedAt ?? this.now()) - call.arrivedAt),
    };
    if (event === 'inbound.abandoned') return { event, ...facts, abandonedAt: iso(call.abandonedAt!), cause: call.cause! };
    const put = { agentId: call.agentId!, offeredAt: iso(call.offeredAt!) };
    if (event === 'inbound.offered') return { event, ...facts, ...put };
    if (event === 'inbound.answered') return { event, ...facts, ...put, answeredAt: iso(call.answeredAt!) };
    const talkSec = sec(call.endedAt! - call.answeredAt!);
    return {
      event, ...facts, ...put, answeredAt: iso(call.answeredAt!), endedAt: iso(call.endedAt!),
      talkSec, wrapUpSec: call.wrapUpSec!, handleSec: Math.round((talkSec + call.wrapUpSec!) * 1000) / 1000, endedBy: call.endedBy!,
    };
  }
}
