import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, uniqueId, type Harness } from '../support/harness';
import { as } from '../support/hotline';

/**
 * Every hotline route refuses bad input with the field path: 400 for a broken schema, 422 for a
 * rule beyond it, 404 for what does not exist; never a 500. Its offers name a city no customer
 * lives in, so the shared database's other tests never meet them.
 */
let h: Harness;
const run = uniqueId('hbad').slice(-8);
const OFFER = `bad-${run}`;
const offerBody = { name: 'Bad input offer', price: 10, margin: 5, channels: ['call'], kind: 'active', eligibility: { factor: 'city', in: [`nowhere-${run}`] } };
let interaction: number;

beforeAll(async () => {
  h = await startHarness();
  expect((await h.inject({ method: 'PUT', url: `/offers/${OFFER}`, payload: offerBody })).statusCode).toBe(201);
  const opened = await h.inject({ method: 'POST', url: '/interactions', headers: as(h, 'agent', `A${run}`), payload: { customerId: 100_050, channel: 'call', callId: `hbad-${run}` } });
  interaction = opened.json().id;
});
afterAll(async () => { await h?.close(); });

interface Case { what: string; method: 'GET' | 'POST' | 'PUT' | 'PATCH'; url: () => string; body?: unknown; headers?: () => Record<string, string>; status: number; path?: string }

const cases: Case[] = [
  { what: 'a negative customer', method: 'POST', url: () => '/interactions', body: { customerId: -1, channel: 'call' }, status: 400, path: 'body.customerId' },
  { what: 'an unknown channel', method: 'POST', url: () => '/interactions', body: { customerId: 1, channel: 'fax' }, status: 400, path: 'body.channel' },
  { what: 'an unknown reason', method: 'POST', url: () => '/interactions', body: { customerId: 1, channel: 'call', reason: 'boredom' }, status: 400, path: 'body.reason' },
  { what: 'an unknown field', method: 'POST', url: () => '/interactions', body: { customerId: 1, channel: 'call', mood: 'angry' }, status: 400, path: 'body' },
  { what: 'a bad key', method: 'POST', url: () => '/interactions', body: { customerId: 1, channel: 'call' }, headers: () => ({ 'idempotency-key': 'no spaces' }), status: 400, path: 'headers.idempotency-key' },
  { what: 'no such customer', method: 'POST', url: () => '/interactions', body: { customerId: 999_999_999, channel: 'call', callId: `hbad-${run}-none` }, status: 404 },
  { what: 'a NUL in the agent', method: 'POST', url: () => '/interactions', body: { customerId: 1, channel: 'call', callId: `hbad-${run}-nul`, agentId: 'a\u0000' }, status: 400, path: 'body.agentId' },
  { what: 'a NUL in the report\'s team', method: 'GET', url: () => '/reports/hotline?team=a%00b', status: 400, path: 'querystring.team' },
  { what: 'a NUL in the report\'s agent', method: 'GET', url: () => '/reports/hotline?agent=%00', status: 400, path: 'querystring.agent' },
  { what: 'a call without its call id', method: 'POST', url: () => '/interactions', body: { customerId: 1, channel: 'call' }, status: 422, path: 'body.callId' },
  { what: 'an agent opening for another', method: 'POST', url: () => '/interactions', body: { customerId: 1, channel: 'call', callId: `hbad-${run}-other`, agentId: 'other' }, headers: () => as(h, 'agent', 'me'), status: 422, path: 'body.agentId' },
  { what: 'a self-service channel opening a call', method: 'POST', url: () => '/interactions', body: { customerId: 1, channel: 'call' }, headers: () => as(h, 'self-service', 'ivr'), status: 422, path: 'body.channel' },
  { what: 'a non-numeric interaction', method: 'GET', url: () => '/interactions/abc', status: 400, path: 'params.id' },
  { what: 'no such interaction', method: 'GET', url: () => '/interactions/999999999', status: 404 },
  { what: 'recommendations of interaction 0', method: 'GET', url: () => '/interactions/0/recommendations', status: 400, path: 'params.id' },
  { what: 'recommendations of no interaction', method: 'GET', url: () => '/interactions/999999999/recommendations', status: 404 },
  { what: 'an unknown outcome', method: 'POST', url: () => `/interactions/${interaction}/outcomes`, body: { recommendationId: 1, outcome: 'maybe' }, status: 400, path: 'body.outcome' },
  { what: 'an outcome without its recommendation', method: 'POST', url: () => `/interactions/${interaction}/outcomes`, body: { outcome: 'presented' }, status: 400, path: 'body.recommendationId' },
  { what: 'a referral to the call', method: 'POST', url: () => `/interactions/${interaction}/outcomes`, body: { recommendationId: 1, outcome: 'referred', referredChannel: 'call' }, status: 400, path: 'body.referredChannel' },
  { what: 'an outcome of no recommendation', method: 'POST', url: () => `/interactions/${interaction}/outcomes`, body: { recommendationId: 999_999_999, outcome: 'presented' }, status: 404 },
  { what: 'an offer code with spaces', method: 'PUT', url: () => '/offers/BAD%20CODE', body: offerBody, status: 400, path: 'params.code' },
  { what: 'a negative margin', method: 'PUT', url: () => `/offers/${OFFER}`, body: { ...offerBody, margin: -1 }, status: 400, path: 'body.margin' },
  { what: 'no channel', method: 'PUT', url: () => `/offers/${OFFER}`, body: { ...offerBody, channels: [] }, status: 400, path: 'body.channels' },
  { what: 'a channel twice', method: 'PUT', url: () => `/offers/${OFFER}`, body: { ...offerBody, channels: ['app', 'app'] }, status: 422, path: 'body.channels' },
  { what: 'an unknown kind', method: 'PUT', url: () => `/offers/${OFFER}`, body: { ...offerBody, kind: 'upsell' }, status: 400, path: 'body.kind' },
  { what: 'a bad eligibility factor', method: 'PUT', url: () => `/offers/${OFFER}`, body: { ...offerBody, eligibility: { all: [{ factor: 'shoeSize', op: 'gt', value: 40 }] } }, status: 400, path: 'body.eligibility.all.0.factor' },
  { what: 'an unknown offer field', method: 'PUT', url: () => `/offers/${OFFER}`, body: { ...offerBody, discount: 5 }, status: 400, path: 'body' },
  { what: 'no name', method: 'PUT', url: () => `/offers/${OFFER}`, body: { ...offerBody, name: '   ' }, status: 400, path: 'body.name' },
  { what: 'a bad active filter', method: 'GET', url: () => '/offers?active=maybe', status: 400, path: 'querystring.active' },
  { what: 'no such offer', method: 'GET', url: () => '/offers/no-such-offer', status: 404 },
  { what: 'a negative lever', method: 'POST', url: () => `/offers/${OFFER}/levers`, body: { lever: -1, effectiveFrom: '2026-01-01' }, status: 400, path: 'body.lever' },
  { what: 'a lever ending before it starts', method: 'POST', url: () => `/offers/${OFFER}/levers`, body: { lever: 2, effectiveFrom: '2026-02-01', effectiveTo: '2026-01-01' }, status: 422, path: 'body.effectiveTo' },
  { what: 'a lever in no region of ours', method: 'POST', url: () => `/offers/${OFFER}/levers`, body: { region: 'zz', lever: 2, effectiveFrom: '2026-01-01' }, status: 422, path: 'body.region' },
  { what: 'a lever from no day', method: 'POST', url: () => `/offers/${OFFER}/levers`, body: { lever: 2, effectiveFrom: '2026-13-01' }, status: 400, path: 'body.effectiveFrom' },
  { what: 'a lever of no offer', method: 'POST', url: () => '/offers/no-such-offer/levers', body: { lever: 2, effectiveFrom: '2026-01-01' }, status: 404 },
  { what: 'a script of no brand of ours', method: 'POST', url: () => `/offers/${OFFER}/scripts`, body: { brand: 'nope', body: 'Hi' }, status: 422, path: 'body.brand' },
  { what: 'a blank script', method: 'POST', url: () => `/offers/${OFFER}/scripts`, body: { brand: '*', body: '  ' }, status: 400, path: 'body.body' },
  { what: 'a script of no offer', method: 'POST', url: () => '/offers/no-such-offer/scripts', body: { brand: '*', body: 'Hi' }, status: 404 },
  { what: 'scripts of a bad brand', method: 'GET', url: () => `/offers/${OFFER}/scripts?brand=BAD`, status: 400, path: 'querystring.brand' },
  { what: 'script version 0', method: 'PATCH', url: () => `/offers/${OFFER}/scripts/*/0`, body: { active: false }, status: 400, path: 'params.version' },
  { what: 'no such script version', method: 'PATCH', url: () => `/offers/${OFFER}/scripts/*/99`, body: { active: false }, status: 404 },
  { what: 'a script change without active', method: 'PATCH', url: () => `/offers/${OFFER}/scripts/*/1`, body: {}, status: 400, path: 'body.active' },
  { what: 'an empty settings change', method: 'PUT', url: () => '/hotline/settings', body: {}, status: 400, path: 'body' },
  { what: 'four offers at most', method: 'PUT', url: () => '/hotline/settings', body: { maxOffers: 4 }, status: 400, path: 'body.maxOffers' },
  { what: 'a prior of 1', method: 'PUT', url: () => '/hotline/settings', body: { priorRate: 1 }, status: 400, path: 'body.priorRate' },
  { what: 'a referral window of 0', method: 'PUT', url: () => '/hotline/settings', body: { referralWindowSeconds: 0 }, status: 400, path: 'body.referralWindowSeconds' },
  { what: 'a referral window past 90 days', method: 'PUT', url: () => '/hotline/settings', body: { referralWindowSeconds: 90 * 86_400 + 1 }, status: 400, path: 'body.referralWindowSeconds' },
  { what: 'a prior weight Postgres would round to 0', method: 'PUT', url: () => '/hotline/settings', body: { priorWeight: 5e-324 }, status: 400, path: 'body.priorWeight' },
  { what: 'a brand code with capitals', method: 'PUT', url: () => '/hotline/brands/GoTone', body: { name: 'x' }, status: 400, path: 'params.code' },
  { what: 'a brand without a name', method: 'PUT', url: () => `/hotline/brands/b-${run}`, body: { plans: ['basic-38'] }, status: 400, path: 'body.name' },
];

describe('hotline routes refuse bad input with the field path', () => {
  for (const c of cases) {
    it(`${c.method} ${c.what}: ${c.status}`, async () => {
      const res = await h.inject({ method: c.method, url: c.url(), ...(c.body === undefined ? {} : { payload: c.body as object }), headers: { ...(c.headers?.() ?? {}) } });
      expect(res.statusCode, res.body).toBe(c.status);
      if (c.path) expect(res.json().issues.map((i: { path: string }) => i.path)).toContain(c.path);
    });
  }

  it('changed nothing: the offer is as it was put, with no lever or script', async () => {
    const res = await h.inject({ method: 'GET', url: `/offers/${OFFER}` });
    expect(res.json()).toMatchObject({ ...offerBody, version: 1, levers: [], scripts: [] });
  });
});
