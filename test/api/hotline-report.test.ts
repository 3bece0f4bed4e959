import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, uniqueId, type Harness } from '../support/harness';
import { completeReferral, seedCallEvents, seedInteraction, seedPlainCalls } from '../support/hotline-report';

/**
 * GET /reports/hotline (seed 003's report) over interactions, recommendations and outcomes written
 * straight to the tables in October and November 2012 (the seed's own months; no other test writes
 * then), for two teams of this test's own and a self-service visit: the figures known by hand, and
 * the same counted straight from the tables; the share target's switch from 18% to 20%; CSV; bad
 * input; roles. The operator's zone is Asia/Shanghai (UTC+8).
 */
let h: Harness;
const tag = uniqueId('hr').slice(-8);
const [teamA, teamB] = [`hr-a-${tag}`, `hr-b-${tag}`];
const [ann, bob] = [`ann-${tag}`, `bob-${tag}`];
/** The recommendation ann referred to the app on October 15. */
let referredOnCall = 0;

const as = (role: string) => ({ authorization: `Bearer ${h.token(role as never)}` });
const get = (url: string, role = 'marketing', accept?: string) => h.inject({ method: 'GET', url, headers: { ...as(role), ...(accept ? { accept } : {}) } });
type Line = { group: Record<string, string>; counts: Record<string, number>; channels: Record<string, { presented: number; successes: number; successRate: number | null }>; rates: Record<string, number | null>; targetMet: boolean | null };
const rowOf = (body: { rows: Line[] }, group: Record<string, string>) => body.rows.find((r) => Object.entries(group).every(([k, v]) => r.group[k] === v))!;

beforeAll(async () => {
  h = await startHarness();
  const { rows } = await h.db.query<{ id: string }>(`SELECT id FROM customers WHERE region <> 'mo' ORDER BY id LIMIT 3`);
  const [c1, c2, c3] = rows.map((r) => Number(r.id)) as [number, number, number];
  const db = h.db;
  // October 15 (10:00 in Shanghai), team A: ten calls answered, two of them marketing calls.
  const oct15 = '2012-10-15T02:00:00Z';
  await seedInteraction(db, c1, { team: teamA, agent: ann, at: oct15, handleSeconds: 300, recs: [['presented', 'accepted'], ['presented', 'refused']] });
  referredOnCall = (await seedInteraction(db, c2, { team: teamA, agent: ann, at: oct15, handleSeconds: 400, recs: [['presented', { referred: 'app' }], []] }))[0]!;
  await seedPlainCalls(db, c3, 7, { team: teamA, agent: ann, at: oct15, handleSeconds: 100 });
  await seedPlainCalls(db, c3, 1, { team: teamA, agent: ann, at: oct15, handleSeconds: null }); // still on the line
  await seedPlainCalls(db, c3, 1, { team: teamA, agent: null, at: oct15, answered: false }); // abandoned in the queue
  // October 20, team B: thirteen calls, one marketing call; three of them have no interaction (two
  // callers the dialer did not know, one a customer we no longer have) but are call volume all the same.
  const oct20 = '2012-10-20T02:00:00Z';
  await seedInteraction(db, c1, { team: teamB, agent: bob, at: oct20, handleSeconds: 200, recs: [['presented', 'not-now']] });
  await seedPlainCalls(db, c2, 9, { team: teamB, agent: bob, at: oct20, handleSeconds: 100 });
  for (const caller of [null, null, 999_999_999]) await seedCallEvents(db, caller, { team: teamB, agent: bob, at: oct20, handleSeconds: 100 });
  // October 16: a customer in the app, offered two things: one taken there, one sent to the web hall.
  await seedInteraction(db, c2, { channel: 'app', at: '2012-10-16T05:00:00Z', recs: [['presented', 'accepted'], ['presented', { referred: 'web' }]] });
  // 00:30 on November 1 in Shanghai (still October 31 in UTC), team A: eleven calls, two marketing calls.
  const nov1 = '2012-10-31T16:30:00Z';
  await seedInteraction(db, c1, { team: teamA, agent: ann, at: nov1, handleSeconds: 250, recs: [['presented', { referred: 'sms' }]] });
  await seedInteraction(db, c2, { team: teamA, agent: ann, at: nov1, handleSeconds: 350, recs: [['presented']] });
  await seedPlainCalls(db, c3, 9, { team: teamA, agent: ann, at: nov1, handleSeconds: 100 });
});
afterAll(async () => { await h?.close(); });

/**
 * The October figures of a team (null: no team), counted straight from the tables with none of the
 * report's SQL: the calls handled are the dialer's calls with an answer, interaction or not.
 */
async function fromTables(team: string | null) {
  const q = async (sql: string) => (await h.db.query<{ n: string; ch?: string }>(
    `WITH i AS (SELECT * FROM hotline_interactions WHERE team IS NOT DISTINCT FROM $1 AND started_at >= '2012-09-30T16:00Z' AND started_at < '2012-10-31T16:00Z'),
          handled AS (SELECT DISTINCT call_id FROM hotline_call_events WHERE team IS NOT DISTINCT FROM $1 AND event = 'inbound.answered'
                         AND arrived_at >= '2012-09-30T16:00Z' AND arrived_at < '2012-10-31T16:00Z'),
          shown AS (SELECT r.* FROM hotline_recommendations r WHERE r.interaction_id IN (SELECT id FROM i)
                       AND EXISTS (SELECT 1 FROM hotline_outcomes o WHERE o.recommendation_id = r.id))
     ${sql}`, [team])).rows;
  const one = async (sql: string) => Number((await q(sql))[0]!.n);
  const perChannel = await q(`SELECT coalesce(o.referred_channel, i.channel) AS ch, count(*) AS n
                                FROM shown s JOIN i ON i.id = s.interaction_id LEFT JOIN hotline_outcomes o ON o.recommendation_id = s.id AND o.outcome = 'referred' GROUP BY 1`);
  return {
    calls: await one(`SELECT count(*) AS n FROM handled`),
    marketing: await one(`SELECT count(*) AS n FROM handled JOIN hotline_interactions x USING (call_id) WHERE x.id IN (SELECT interaction_id FROM shown)`),
    recommendations: await one(`SELECT count(*) AS n FROM hotline_recommendations WHERE interaction_id IN (SELECT id FROM i)`),
    presented: await one(`SELECT count(*) AS n FROM shown`),
    accepted: await one(`SELECT count(*) AS n FROM hotline_outcomes WHERE outcome = 'accepted' AND recommendation_id IN (SELECT id FROM shown)`),
    perChannel: Object.fromEntries(perChannel.map((r) => [r.ch!, Number(r.n)])),
  };
}

describe('GET /reports/hotline', () => {
  it('per team in October: calls handled, marketing calls and share against 18%, channels, handle times; the same as the tables say', async () => {
    const res = await get('/reports/hotline?groupBy=team&from=2012-10-01&to=2012-10-31');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.targets).toEqual([{ month: '2012-10', share: 0.18 }]);
    const a = rowOf(body, { team: teamA });
    expect(a.counts).toEqual({
      callsHandled: 10, marketingCalls: 2, targetCalls: 1.8, recommendations: 4, presented: 3, successes: 1,
      endedCallsWithOffer: 2, handleSecondsWithOffer: 700, endedCallsWithoutOffer: 7, handleSecondsWithoutOffer: 700,
    });
    expect(a.rates).toEqual({ marketingShare: 0.2, targetShare: 0.18, successRate: 0.3333, avgHandleSecondsWithOffer: 350, avgHandleSecondsWithoutOffer: 100 });
    expect(a.targetMet).toBe(true);
    expect(a.channels.call).toEqual({ presented: 2, successes: 1, successRate: 0.5 });
    expect(a.channels.app).toEqual({ presented: 1, successes: 0, successRate: 0 });
    expect(a.channels.sms).toEqual({ presented: 0, successes: 0, successRate: null });

    const b = rowOf(body, { team: teamB });
    expect(b.counts).toMatchObject({ callsHandled: 13, marketingCalls: 1, targetCalls: 2.34, presented: 1, successes: 0, endedCallsWithoutOffer: 12 });
    expect(b.rates.marketingShare).toBe(0.0769);
    expect(b.targetMet).toBe(false);

    // The app visit: no team, no call; its offer taken in the app, the other sent to the web hall.
    const none = rowOf(body, { team: '' });
    expect(none.counts).toMatchObject({ callsHandled: 0, marketingCalls: 0, targetCalls: 0, recommendations: 2, presented: 2, successes: 1 });
    expect(none.channels.app).toEqual({ presented: 1, successes: 1, successRate: 1 });
    expect(none.channels.web).toEqual({ presented: 1, successes: 0, successRate: 0 });
    expect(none.rates.marketingShare).toBeNull();
    expect(none.targetMet).toBeNull();

    for (const [team, line] of [[teamA, a], [teamB, b], [null, none]] as const) {
      const t = await fromTables(team);
      expect(line.counts.callsHandled, `${team} calls`).toBe(t.calls);
      expect(line.counts.marketingCalls, `${team} marketing`).toBe(t.marketing);
      expect(line.counts.recommendations).toBe(t.recommendations);
      expect(line.counts.presented).toBe(t.presented);
      expect(Object.fromEntries(Object.entries(line.channels).filter(([, c]) => c.presented).map(([ch, c]) => [ch, c.presented]))).toEqual(t.perChannel);
      expect(line.counts.successes).toBe(t.accepted); // no referral completed yet: the successes are the acceptances
    }
  });

  it('judges November by its own target: met at 18%, not once marketing sets 20% from November; a period over both weighs each by its calls', async () => {
    const nov = async () => rowOf((await get(`/reports/hotline?groupBy=month&team=${teamA}&from=2012-11-01&to=2012-11-30`)).json(), { month: '2012-11' });
    const before = await nov();
    expect(before.counts).toMatchObject({ callsHandled: 11, marketingCalls: 2, targetCalls: 1.98 });
    expect(before.rates.marketingShare).toBe(0.1818);
    expect(before.targetMet).toBe(true);

    const put = (payload: object, role = 'marketing') => h.inject({ method: 'PUT', url: '/hotline/share-targets/2012-11', payload, headers: as(role) });
    const set = await put({ share: 0.2, note: 'seed 003, third stage' });
    expect(set.statusCode, set.body).toBe(201);
    expect(set.json()).toMatchObject({ from: '2012-11', share: 0.2, note: 'seed 003, third stage' });
    expect((await put({ share: 0.2, note: 'seed 003, third stage' })).statusCode).toBe(200);

    const after = await nov();
    expect(after.counts.targetCalls).toBe(2.2);
    expect(after.rates.targetShare).toBe(0.2);
    expect(after.targetMet).toBe(false);
    expect(after.channels.sms).toEqual({ presented: 1, successes: 0, successRate: 0 });
    expect(after.channels.call).toEqual({ presented: 1, successes: 0, successRate: 0 });
    expect(after.rates).toMatchObject({ avgHandleSecondsWithOffer: 300, avgHandleSecondsWithoutOffer: 100 });

    // October stays at 18%; both months together: 4 marketing calls of 21 against 1.8 + 2.2 = 4 target calls.
    const both = (await get(`/reports/hotline?team=${teamA}&from=2012-10-01&to=2012-11-30`)).json();
    expect(both.targets).toEqual([{ month: '2012-10', share: 0.18 }, { month: '2012-11', share: 0.2 }]);
    expect(both.totals.counts).toMatchObject({ callsHandled: 21, marketingCalls: 4, targetCalls: 4 });
    expect(both.totals.rates).toMatchObject({ marketingShare: 0.1905, targetShare: 0.1905 });
    expect(both.totals.targetMet).toBe(true);

    const targets = await get('/hotline/share-targets');
    expect(targets.statusCode).toBe(200);
    expect(targets.json().targets.map((t: { from: string; share: number }) => [t.from, t.share])).toContainEqual(['2012-11', 0.2]);
    expect(targets.json().targets[0]).toMatchObject({ from: '2000-01', share: 0.18, setBy: 'migration' });
  });

  it('counts a call on its local day in the operator\'s zone, per agent and day', async () => {
    const body = (await get(`/reports/hotline?groupBy=agent,day&team=${teamA}&from=2012-10-01&to=2012-11-30`)).json();
    expect(body.rows.map((r: Line) => [r.group.agent, r.group.day, r.counts.callsHandled])).toEqual([['', '2012-10-15', 0], [ann, '2012-10-15', 10], [ann, '2012-11-01', 11]]);
    const byAnn = (await get(`/reports/hotline?agent=${ann}&from=2012-10-31&to=2012-10-31`)).json();
    expect(byAnn.totals.counts.callsHandled).toBe(0);
    expect(byAnn.rows).toHaveLength(1);
  });

  it('answers CSV: a header, then a record per group', async () => {
    const csv = await get(`/reports/hotline?groupBy=team&team=${teamB}&from=2012-10-01&to=2012-10-31`, 'marketing', 'text/csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const [header, line, more] = csv.body.trim().split('\n');
    expect(header).toBe('team,callsHandled,marketingCalls,targetCalls,recommendations,presented,successes,endedCallsWithOffer,handleSecondsWithOffer,'
      + 'endedCallsWithoutOffer,handleSecondsWithoutOffer,callPresented,callSuccesses,callSuccessRate,ivrPresented,ivrSuccesses,ivrSuccessRate,'
      + 'smsPresented,smsSuccesses,smsSuccessRate,appPresented,appSuccesses,appSuccessRate,webPresented,webSuccesses,webSuccessRate,'
      + 'marketingShare,targetShare,successRate,avgHandleSecondsWithOffer,avgHandleSecondsWithoutOffer,targetMet');
    expect(line).toBe(`${teamB},13,1,2.34,1,1,0,1,200,12,1200,1,0,0,0,0,,0,0,,0,0,,0,0,,0.0769,0.18,0,200,100,false`);
    expect(more).toBeUndefined();
  });

  it('refuses a bad question with the field at fault', async () => {
    const issue = async (url: string, status: number, path: string) => {
      const res = await get(url);
      expect(res.statusCode, `${url}: ${res.body}`).toBe(status);
      expect(res.json().issues.map((i: { path: string }) => i.path)).toContain(path);
    };
    await issue('/reports/hotline?from=2012-13-01', 400, 'querystring.from');
    await issue('/reports/hotline?from=2012-02-30&to=2012-03-01', 422, 'querystring.from');
    await issue('/reports/hotline?from=2012-11-01&to=2012-10-01', 422, 'querystring.from');
    await issue('/reports/hotline?from=2010-01-01&to=2012-12-31', 422, 'querystring.from');
    await issue('/reports/hotline?groupBy=day,month', 422, 'querystring.groupBy');
    await issue('/reports/hotline?groupBy=team,team', 422, 'querystring.groupBy');
    await issue('/reports/hotline?groupBy=channel', 400, 'querystring.groupBy');
    await issue('/reports/hotline?team=', 400, 'querystring.team');
    expect((await get('/reports/hotline?region=gd')).statusCode).toBe(400);
    const put = (month: string, payload: object) => h.inject({ method: 'PUT', url: `/hotline/share-targets/${month}`, payload, headers: as('marketing') });
    const badMonth = await put('2012-13', { share: 0.2 });
    expect(badMonth.statusCode).toBe(400);
    expect(badMonth.json().issues[0].path).toBe('params.month');
    for (const share of [0, 1.5, '20%']) {
      const res = await put('2013-01', { share });
      expect(res.statusCode, String(share)).toBe(400);
      expect(res.json().issues[0].path).toBe('body.share');
    }
    expect((await put('2013-01', { share: 0.2, by: 'me' })).statusCode).toBe(400);
  });

  it('lets marketing read and set, ops read, and no one else', async () => {
    const url = '/reports/hotline?from=2012-10-01&to=2012-10-31';
    expect((await get(url, 'marketing')).statusCode).toBe(200);
    expect((await get(url, 'ops')).statusCode).toBe(200);
    expect((await get('/hotline/share-targets', 'ops')).statusCode).toBe(200);
    for (const role of ['agent', 'finance', 'staff', 'self-service']) expect((await get(url, role)).statusCode, role).toBe(403);
    expect((await h.inject({ method: 'GET', url })).statusCode).toBe(200); // the harness's own admin
    expect((await h.app.inject({ method: 'GET', url })).statusCode).toBe(401);
    const put = (role: string) => h.inject({ method: 'PUT', url: '/hotline/share-targets/2013-02', payload: { share: 0.2 }, headers: as(role) });
    expect((await put('ops')).statusCode).toBe(403);
    expect((await put('agent')).statusCode).toBe(403);
  });

  it('counts a referral the customer completed in the app as a success of the app, on the day of the call', async () => {
    await completeReferral(h.db, referredOnCall);
    const a = rowOf((await get(`/reports/hotline?groupBy=team&team=${teamA}&from=2012-10-01&to=2012-10-31`)).json(), { team: teamA });
    expect(a.counts.successes).toBe(2);
    expect(a.channels.app).toEqual({ presented: 1, successes: 1, successRate: 1 });
    expect(a.channels.call).toEqual({ presented: 2, successes: 1, successRate: 0.5 });
  });
});
