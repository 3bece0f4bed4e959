import { expect } from 'vitest';
import type { Harness } from './harness';
import type { CampaignDefinitionInput } from '../../domain/campaign/campaign';

/** A small, fast campaign for tests: second-long delays, a handful of leads. */
export function testCampaign(id: string, over: Partial<CampaignDefinitionInput> = {}): CampaignDefinitionInput {
  return {
    id,
    name: `test ${id}`,
    offer: { code: 'fiber-300', name: 'Fibre 300M', price: 99 },
    segment: { maxLeads: 20 },
    dialing: { maxConcurrentCalls: 5, maxAttempts: 3, retryDelaySeconds: 1 },
    // tests run at any hour; real campaigns keep the 08:00–21:00 default
    window: { start: '00:00', end: '24:00' },
    // many test campaigns call the same few customers; the cap has its own tests
    contactCap: { maxCalls: 100, days: 1 },
    orders: { followUpDelaySeconds: 1, deliveryRetryDelaySeconds: 0, followUpMaxAttempts: 2, followUpRetryDelaySeconds: 0 },
    ...over,
  };
}

export async function launch(h: Harness, def: CampaignDefinitionInput, headers: Record<string, string> = {}) {
  const res = await h.inject({ method: 'POST', url: '/campaigns', payload: def, headers });
  if (res.statusCode !== 201 && res.statusCode !== 200) throw new Error(`launch failed: ${res.statusCode} ${res.body}`);
  return res.json() as { id: string; workflowId: string; status: string };
}

export async function api<T = any>(h: Harness, method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, payload?: unknown, headers: Record<string, string> = {}) { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await h.inject({ method, url, headers, ...(payload !== undefined ? { payload: payload as object } : {}) });
  return { status: res.statusCode, body: (res.body ? res.json() : null) as T };
}

/** A team in the roster with these agents, logged in to the dialer sim too unless `dialer: false`. */
export async function staffTeam(h: Harness, team: string, agents: string[], opts: { dialer?: boolean } = {}): Promise<void> {
  expect((await api(h, 'PUT', `/teams/${team}`, { name: `test team ${team}` })).status).toBe(200);
  for (const a of agents) expect((await api(h, 'PUT', `/agents/${a}`, { team, name: a })).status).toBe(200);
  if (opts.dialer !== false) {
    const now = await simGet(`${h.sims.dialerUrl}/config`);
    await configureSim(h.sims.dialerUrl, { agents: { ...now.agents, [team]: agents } });
  }
}

/** Changes a sim's behaviour at run time through its own HTTP config endpoint. */
export async function configureSim(url: string, patch: unknown): Promise<void> {
  const res = await fetch(`${url}/config`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(patch) });
  if (!res.ok) throw new Error(`sim config refused: ${res.status} ${await res.text()}`);
}

/** Reads a sim's own view (stats, a call, an activation count). */
export async function simGet(url: string): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await fetch(url);
  return res.json();
}
