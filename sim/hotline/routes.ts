import type { FastifyInstance, FastifyReply } from 'fastify';
import type { DialerConfig } from '../dialer-contract';
import { unit } from '../rand';
import { badRequest, parseOr400, unavailable } from '../service';
import type { TimerSet } from '../timers';
import { Acd, type Agent, type InboundCall } from './acd';
import {
  AgentIdSchema, AgentStateSchema, CodeSchema, DirectoryUpdateSchema, InjectCallSchema, StartTrafficSchema, type InboundEvent,
} from './contract';
import { Directory } from './directory';
import { Traffic, type Arrival } from './traffic';

// The dialer's inbound side over HTTP (sim/README.md, "Hotline"): the ACD, its traffic, its
// directory. Mounted on the dialer's app; its webhooks go out through the dialer's sender.

export interface HotlineDeps {
  config: () => DialerConfig;
  /** The simulated world's timers: arrivals, patience, ring, talk, wrap-up (a test's ManualClock). */
  simTimers: TimerSet;
  /** Real time: the injected latency of a request. */
  netTimers: TimerSet;
  /** Sends one webhook message with the dialer's faults; `key` hashes them. */
  send: (url: string, body: InboundEvent, key: string) => void;
}

const notFound = (reply: FastifyReply, message: string) => reply.code(404).send({ error: 'not-found', message });

function callView(call: InboundCall) {
  const { timer: _timer, callbackUrl: _url, arrivedAt, offeredAt, answeredAt, endedAt, abandonedAt, ...rest } = call;
  // undefined is left out of the JSON: a time the call has not reached is not in the answer.
  const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
  return { ...rest, arrivedAt: iso(arrivedAt), offeredAt: iso(offeredAt), answeredAt: iso(answeredAt), endedAt: iso(endedAt), abandonedAt: iso(abandonedAt) };
}

function agentView(agent: Agent) {
  return {
    agentId: agent.agentId, team: agent.team, state: agent.state,
    ...(agent.state === 'ready' ? { readySince: new Date(agent.readySince).toISOString() } : {}),
    ...(agent.callId ? { callId: agent.callId } : {}), ...(agent.next ? { next: agent.next } : {}),
  };
}

export function mountHotline(app: FastifyInstance, deps: HotlineDeps): { stats: () => Record<string, unknown> } {
  const { config, simTimers, netTimers } = deps;
  const seed = () => config().seed;
  const acd = new Acd({ timers: simTimers, config: () => config().inbound, seed, emit: (call, event) => deps.send(call.callbackUrl, event, event.eventId) });
  const directory = new Directory();
  /** The call's team: the one asked for, else the route of its reason, else the default. */
  const teamOf = (reason: string, team?: string) => team ?? config().inbound.routes[reason] ?? config().inbound.defaultTeam;
  const arrive = (a: Arrival) => acd.arrive({ ...a, team: teamOf(a.reason, a.team), ...identified(a.ani) });
  const identified = (ani: string) => {
    const customerId = directory.identify(ani);
    return customerId === undefined ? {} : { customerId };
  };
  const traffic = new Traffic({ timers: simTimers, seed, arrive });
  // Default run ids differ between two starts of the sim (a ManualClock's start makes them replay).
  const bootTag = simTimers.clock.now().toString(36);
  let runs = 0;
  /** A run's call ids are `in-<runId>-<n>`: a run id used again would take the earlier run's calls' ids. */
  const runIds = new Set<string>();

  /** Requests seen per key: the error fault is hashed with it, so a retry can succeed. */
  const attempts = new Map<string, number>();
  /** The command faults (config faults.latencyMs, errorRate); true when the request was answered 503. */
  async function faulted(key: string, reply: FastifyReply): Promise<boolean> {
    const attempt = (attempts.get(key) ?? 0) + 1;
    attempts.set(key, attempt);
    await netTimers.sleep(config().faults.latencyMs);
    if (unit(seed(), key, 'error', attempt) >= config().faults.errorRate) return false;
    unavailable(reply);
    return true;
  }

  const callbackUrlOr400 = (given: string | undefined, reply: FastifyReply) => {
    const url = given ?? config().inbound.callbackUrl;
    if (!url) badRequest(reply, [{ path: 'callbackUrl', message: 'required: the dialer has no inbound.callbackUrl configured' }]);
    return url;
  };
  const unknownReason = (path: string) => ({ path, message: 'not a reason the dialer knows (config inbound.reasons)' });

  app.post('/inbound/traffic', async (request, reply) => {
    const body = parseOr400(StartTrafficSchema, request.body, reply);
    if (body === undefined) return reply;
    if (body.runId && runIds.has(body.runId)) {
      return reply.code(409).send({ error: 'run-id-reused', message: `traffic run ${body.runId} ran before: its call ids are taken` });
    }
    const known = config().inbound.reasons;
    const unknown = Object.keys(body.reasons ?? {}).filter((r) => !known[r]);
    if (unknown.length > 0) return badRequest(reply, unknown.map((r) => unknownReason(`reasons.${r}`)));
    const mix = body.reasons ?? Object.fromEntries(Object.entries(known).map(([r, { weight }]) => [r, weight]));
    if (!Object.values(mix).some((w) => w > 0)) return badRequest(reply, [{ path: 'reasons', message: 'the configured reasons all weigh 0: give a mix' }]);
    if (body.customers) directory.add(body.customers);
    const callers = body.customers ? body.customers.map((c) => c.msisdn) : directory.numbers();
    if (callers.length === 0 && body.unknownCallerShare < 1) {
      return badRequest(reply, [{ path: 'customers', message: 'nobody to call: give customers, fill the directory (POST /inbound/directory) or set unknownCallerShare to 1' }]);
    }
    const callbackUrl = callbackUrlOr400(body.callbackUrl, reply);
    if (!callbackUrl) return reply;
    const runId = body.runId ?? `${bootTag}-${++runs}`;
    runIds.add(runId);
    const { customers: _customers, reasons: _reasons, ...plan } = body;
    const status = traffic.start({ ...plan, runId, callbackUrl, callers, mix });
    request.log.info({ runId: status.runId, ratePerMinute: body.ratePerMinute, callers: callers.length }, 'inbound traffic started');
    return status;
  });
  app.get('/inbound/traffic', async () => traffic.status());
  app.delete('/inbound/traffic', async () => {
    traffic.stop();
    return traffic.status();
  });

  app.post('/inbound/directory', async (request, reply) => {
    const body = parseOr400(DirectoryUpdateSchema, request.body, reply);
    if (body === undefined) return reply;
    directory.add(body.customers);
    return { added: body.customers.length, size: directory.size };
  });
  app.delete('/inbound/directory', async () => ({ removed: directory.clear() }));

  app.post('/inbound/calls', async (request, reply) => {
    const body = parseOr400(InjectCallSchema, request.body, reply);
    if (body === undefined) return reply;
    if (!config().inbound.reasons[body.reason]) return badRequest(reply, [unknownReason('reason')]);
    const callbackUrl = callbackUrlOr400(body.callbackUrl, reply);
    if (!callbackUrl) return reply;
    if (await faulted(body.callId, reply)) return reply;
    const existing = acd.calls.get(body.callId);
    if (existing) {
      if (existing.ani !== body.ani || existing.reason !== body.reason) {
        return reply.code(409).send({ error: 'call-id-reused', message: `callId ${body.callId} was already used for another caller or reason` });
      }
      return { callId: existing.callId, status: existing.status, arrivedAt: new Date(existing.arrivedAt).toISOString() };
    }
    const call = arrive({ ...body, callbackUrl });
    return reply.code(202).send({ callId: call.callId, status: call.status, arrivedAt: new Date(call.arrivedAt).toISOString() });
  });

  app.get('/inbound/calls/:callId', async (request, reply) => {
    const { callId } = request.params as { callId: string };
    const call = acd.calls.get(callId);
    return call ? callView(call) : notFound(reply, `no inbound call ${callId}`);
  });

  /** The agent hangs up: our API, for the agent. */
  app.post('/inbound/calls/:callId/end', async (request, reply) => {
    const { callId } = request.params as { callId: string };
    if (await faulted(`${callId}/end`, reply)) return reply;
    const ended = acd.endCall(callId);
    if (ended === 'unknown') return notFound(reply, `no inbound call ${callId}`);
    if (ended === 'not-talking') {
      const { status } = acd.calls.get(callId)!;
      return reply.code(409).send({ error: 'not-talking', message: `call ${callId} is ${status}: only a call being talked can be ended`, status });
    }
    return callView(ended);
  });

  const agentIdOr400 = (params: unknown, reply: FastifyReply) => {
    const parsed = AgentIdSchema.safeParse((params as { agentId: string }).agentId);
    if (!parsed.success) badRequest(reply, [{ path: 'agentId', message: parsed.error.issues[0]!.message }]);
    return parsed.data;
  };

  app.put('/inbound/agents/:agentId', async (request, reply) => {
    const agentId = agentIdOr400(request.params, reply);
    if (agentId === undefined) return reply;
    const body = parseOr400(AgentStateSchema, request.body, reply);
    if (body === undefined) return reply;
    if (await faulted(`agent/${agentId}`, reply)) return reply;
    const agent = acd.setAgent(agentId, body.team, body.state);
    if (agent === 'on-call') {
      return reply.code(409).send({ error: 'agent-on-call', message: `agent ${agentId} is on a call of another team: log in to ${body.team} after its wrap-up` });
    }
    return agentView(agent);
  });

  app.delete('/inbound/agents/:agentId', async (request, reply) => {
    const agentId = agentIdOr400(request.params, reply);
    if (agentId === undefined) return reply;
    if (await faulted(`agent/${agentId}`, reply)) return reply;
    if (!acd.logOut(agentId)) return notFound(reply, `agent ${agentId} is not logged in`);
    const agent = acd.agents.get(agentId);
    return agent ? agentView(agent) : { agentId, state: 'logged-out' };
  });

  app.get('/inbound/agents/:agentId', async (request, reply) => {
    const { agentId } = request.params as { agentId: string };
    const agent = acd.agents.get(agentId);
    return agent ? agentView(agent) : notFound(reply, `agent ${agentId} is not logged in`);
  });

  /** A hotline team now: its agents by state, its queue, who takes the next call. */
  app.get('/inbound/teams/:team', async (request, reply) => {
    const { team } = request.params as { team: string };
    const agents = [...acd.agents.values()].filter((a) => a.team === team);
    const queue = CodeSchema.safeParse(team).success ? acd.queueOf(team) : [];
    if (agents.length === 0 && queue.length === 0) return notFound(reply, `nobody of team ${team} is logged in and no call waits for it`);
    const count = (state: Agent['state']) => agents.filter((a) => a.state === state).length;
    const oldest = queue[0] === undefined ? undefined : acd.calls.get(queue[0]);
    return {
      team, agents: agents.length, ready: count('ready'), notReady: count('not-ready'), ringing: count('ringing'),
      talking: count('talking'), wrapUp: count('wrap-up'), queued: queue.length,
      oldestWaitSec: oldest ? (simTimers.clock.now() - oldest.arrivedAt) / 1000 : 0,
      free: acd.freeAgents(team).map((a) => a.agentId),
    };
  });

  return {
    stats: () => ({
      ...acd.stats,
      queued: acd.queued(),
      agentsLoggedIn: acd.agents.size,
      directory: directory.size,
      trafficRunning: traffic.status().running,
    }),
  };
}
