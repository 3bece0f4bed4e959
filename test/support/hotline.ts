import { randomUUID } from 'node:crypto';
import type { Role } from '../../domain/access/roles';
import type { Harness } from './harness';

/**
 * Hotline tests: customers of their own (each scenario in a city of its own, which its offers'
 * eligibility rules name, so scenarios never see each other's offers), offers put as marketing,
 * interactions opened and recommendations read as an agent.
 */
let nextCustomer = 700_000;

export const as = (h: Harness, role: Role, sub?: string) => ({ authorization: `Bearer ${h.token(role, sub)}` });

export interface TestCustomer {
  city: string;
  plan?: string;
  region?: string;
  services?: string[];
  dnc?: boolean;
  msisdn?: string;
}

/** A customer of the scenario's city (plus-58, the mzone brand, in Guangdong unless given): its id. */
export async function hotlineCustomer(h: Harness, c: TestCustomer): Promise<number> {
  const id = nextCustomer++;
  await h.db.query(
    `INSERT INTO customers (id, msisdn, name, region, city, plan, in_network, tenure_months, spend_last_month, spend_prev_month, complaints_90d, dnc, address, services)
     VALUES ($1, $2, $8, $3, $4, $5, true, 24, 60, 60, 0, $6, 'No. 1 Test Road', $7)`,
    [id, c.msisdn ?? `1370${String(id).padStart(7, '0')}`, c.region ?? 'gd', c.city, c.plan ?? 'plus-58', c.dnc ?? false, c.services ?? [], `Hotline ${id}`]);
  return id;
}

/** An offer for the customers of a city (and whatever else `rule` says), put as marketing. */
export async function putOffer(h: Harness, code: string, city: string, over: Record<string, unknown> = {}, rule?: object) {
  const res = await h.inject({
    method: 'PUT', url: `/offers/${code}`, headers: as(h, 'marketing'),
    payload: {
      name: `Offer ${code}`, price: 38, margin: 20, channels: ['call', 'app'], kind: 'active',
      eligibility: rule ? { all: [{ factor: 'city', in: [city] }, rule] } : { factor: 'city', in: [city] }, ...over,
    },
  });
  if (res.statusCode >= 300) throw new Error(`PUT /offers/${code}: ${res.statusCode} ${res.body}`);
  return res.json();
}

/** An inbound call the agent took (a call id of its own, as the dialer would give): the interaction's id. */
export async function openCall(h: Harness, customerId: number, agent: string, reason = 'bill-query'): Promise<number> {
  const callId = `t-${randomUUID()}`;
  const res = await h.inject({ method: 'POST', url: '/interactions', headers: as(h, 'agent', agent), payload: { customerId, channel: 'call', reason, callId } });
  if (res.statusCode !== 201) throw new Error(`POST /interactions: ${res.statusCode} ${res.body}`);
  return res.json().id;
}

export interface Answer {
  recommendations: { id: number; rank: number; offer: { code: string }; kind: string; reason: string; propensity: number; priority: number;
    campaignId: string | null; script: { brand: string | null; version: number | null; body: string } | null; completion: { onTheCall: boolean; channels: string[] };
    outcomes: { outcome: string }[] }[];
  notOffered: { offerCode: string; why: string }[];
  capped: string | null;
  fresh: boolean;
  customer: { msisdn: string; brand: string | null };
}

export async function recommend(h: Harness, interactionId: number, sub: string, role: Role = 'agent'): Promise<Answer> {
  const res = await h.inject({ method: 'GET', url: `/interactions/${interactionId}/recommendations`, headers: as(h, role, sub) });
  if (res.statusCode !== 200) throw new Error(`GET recommendations: ${res.statusCode} ${res.body}`);
  return res.json();
}

export const codes = (a: Answer) => a.recommendations.map((r) => r.offer.code);

export const outcome = (h: Harness, interactionId: number, payload: object, agent: string, role: Role = 'agent') =>
  h.inject({ method: 'POST', url: `/interactions/${interactionId}/outcomes`, headers: as(h, role, agent), payload });
