import type { Db } from '../infra/db';
import type { DemoApi } from './demo-api';

// The demo's hotline (docs/hotline.md): marketing's two offers, three customers calling the hotline
// (the dialer sim puts them through to an agent), the agent reading the next best offers and
// selling one on the call, sending one customer to the app (who orders there a moment later, the
// agent credited) and taking a refusal; then the seed's report.

const AGENT = 'agent-01';
const TEAM = 'hotline';
const fixed = (sec: number) => ({ kind: 'fixed', sec });
const OFFERS = {
  'vas-news': { name: 'Mobile news', price: 10, margin: 6, channels: ['call', 'sms', 'app'], kind: 'active', ships: [], reasons: ['bill-query'] },
  'cloud-50': { name: 'Cloud storage 50 GB', price: 15, margin: 9, channels: ['call', 'app', 'web'], kind: 'cross-sell', ships: [], reasons: ['plan-question'] },
} as const;

/** A JSON request to the dialer sim (our side of the telephony: the agent's softphone, the customers' calls). */
async function dialer(url: string, method: string, path: string, body?: unknown): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await fetch(`${url}${path}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
  if (!res.ok) throw new Error(`dialer ${method} ${path} → ${res.status}: ${await res.text()}`);
  return res.json();
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
    const got = await probe();
    if (got !== undefined) return got;
  }
  throw new Error(`the demo waited 30 s for ${what}`);
}

export async function playHotline(api: DemoApi, agentApi: DemoApi, opts: { db: Db; dialerUrl: string; apiUrl: string; timeZone: string }): Promise<void> {
  for (const [code, offer] of Object.entries(OFFERS)) {
    await api.put(`/offers/${code}`, { ...offer, eligibility: null });
    await api.post(`/offers/${code}/scripts`, { brand: '*', body: `Since you are with us already: ${offer.name}, ${offer.price} yuan a month. Shall I add it?` });
  }
  // Short calls for the demo; the app orders what the hotline sends customers to.
  await dialer(opts.dialerUrl, 'PUT', '/config', {
    inbound: {
      callbackUrl: `${opts.apiUrl}/webhooks/dialer/inbound`, agentRing: fixed(1), wrapUp: fixed(1), patience: fixed(300),
      reasons: { 'bill-query': { weight: 1, talk: fixed(30) }, 'plan-question': { weight: 1, talk: fixed(30) } },
    },
    selfService: { enabled: true, apiUrl: opts.apiUrl, offers: Object.fromEntries(Object.entries(OFFERS).map(([c, o]) => [c, { name: o.name, price: o.price }])) },
  });
  await dialer(opts.dialerUrl, 'PUT', `/inbound/agents/${AGENT}`, { team: TEAM, state: 'ready' });
  // The operator's directory: who calls from which number (the dialer identifies callers by it).
  const { rows: callers } = await opts.db.query<{ id: string; msisdn: string }>(
    `SELECT id, msisdn FROM customers WHERE erased_at IS NULL AND NOT dnc AND in_network ORDER BY id DESC LIMIT 3`);
  await dialer(opts.dialerUrl, 'POST', '/inbound/directory', { customers: callers.map((c) => ({ customerId: Number(c.id), msisdn: c.msisdn })) });

  const stamp = Date.now().toString(36);
  const decisions = ['accepted', 'referred', 'refused'] as const;
  for (const [i, c] of callers.entries()) {
    const callId = `demo-${stamp}-${i + 1}`;
    const customerId = Number(c.id);
    await dialer(opts.dialerUrl, 'POST', '/inbound/calls', { callId, ani: c.msisdn, reason: i === 1 ? 'plan-question' : 'bill-query' });
    await until(`call ${callId} put through`, async () => ((await dialer(opts.dialerUrl, 'GET', `/inbound/calls/${callId}`)).status === 'talking' ? true : undefined));
    // The agent's screen pops with the call: the interaction the dialer's webhook opened.
    const interaction = await agentApi.post('/interactions', { channel: 'call', customerId, callId, reason: i === 1 ? 'plan-question' : 'bill-query' });
    const { recommendations } = await agentApi.get(`/interactions/${interaction.id}/recommendations`);
    const best = recommendations[0] as { id: number; offer: { code: string }; kind: string; reason: string } | undefined;
    const decision = decisions[i]!;
    if (best) {
      await agentApi.post(`/interactions/${interaction.id}/outcomes`, { recommendationId: best.id, outcome: 'presented' });
      await agentApi.post(`/interactions/${interaction.id}/outcomes`,
        { recommendationId: best.id, outcome: decision, ...(decision === 'referred' ? { referredChannel: 'app' } : {}) });
      if (decision === 'referred') {
        await dialer(opts.dialerUrl, 'POST', '/self-service/referrals',
          { referrals: [{ referralId: `rec-${best.id}`, customerId, offerCode: best.offer.code, channel: 'app', completeWithinSeconds: 2, probability: 1 }] });
      }
    }
    console.log(`  call ${i + 1}  ${best ? `${best.offer.code} (${best.kind}: ${best.reason}) → ${decision}` : 'nothing to offer'}`);
    await dialer(opts.dialerUrl, 'POST', `/inbound/calls/${callId}/end`);
  }
  await until('the app order of the referral', async () => {
    const { rows } = await opts.db.query(`SELECT 1 FROM hotline_outcomes WHERE outcome = 'completed' AND at > now() - interval '5 minutes'`);
    return rows.length ? true : undefined;
  }).catch(() => console.log('  (the app order of the referral had not arrived yet)'));
  // The report counts by the operator's day.
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: opts.timeZone }).format(new Date());
  const report = await api.get(`/reports/hotline?groupBy=team&from=${day}&to=${day}&team=${TEAM}`);
  const row = report.rows[0] as { counts: Record<string, number>; rates: Record<string, number | null>; targetMet: boolean | null } | undefined;
  if (!row) console.log(`  (the report of ${day} has no row for team ${TEAM} yet)`);
  else {
    const pct = (r: number | null | undefined) => (r === null || r === undefined ? '–' : `${(100 * r).toFixed(0)}%`);
    console.log(`  today, team ${TEAM}: ${row.counts.callsHandled} calls handled, ${row.counts.marketingCalls} with an offer presented: `
      + `marketing share ${pct(row.rates.marketingShare)} against the target's ${pct(row.rates.targetShare)} (${row.targetMet ? 'met' : 'not met'}); `
      + `${row.counts.successes} successes (GET /reports/hotline)`);
  }
}
