import { describe, expect, it } from 'vitest';
import { arbitrate, compareScored, kindOf, leverFor, priorityOf, type Lever, type Scored } from '../../domain/hotline/arbitration';
import { contactPolicy, roomLeft } from '../../domain/hotline/contact-policy';
import { decide, type DecisionFacts } from '../../domain/hotline/decide';
import { eligibility, mergeCandidates, type Candidate } from '../../domain/hotline/eligibility';
import { countsDelta, countsKey, propensity, segmentKey, smoothed } from '../../domain/hotline/propensity';
import { chooseScript, nextVersion, scriptFor, type Script } from '../../domain/hotline/scripts';
import { HOTLINE_SETTINGS_DEFAULTS } from '../../domain/hotline/words';

const offer = (offerCode: string, over: Partial<Candidate> = {}): Candidate => ({
  offerCode, name: offerCode, value: 30, channels: ['call', 'app'], kind: 'active', reasons: [], ruleMatched: true, ...over,
});
const clean = { owns: [], dnc: false, erased: false };

describe('eligibility', () => {
  it('leaves out owned offers and those outside their rule, and says why', () => {
    const { eligible, excluded, outside } = eligibility([offer('a'), offer('b'), offer('c', { ruleMatched: false })], { ...clean, owns: ['b'] }, 'call');
    expect(eligible.map((c) => c.offerCode)).toEqual(['a']);
    expect(excluded).toEqual([{ offerCode: 'b', why: 'the customer owns it already' }]);
    expect(outside).toEqual(['c']);
  });

  it('leaves out offers on order or referred to, still under way', () => {
    const { eligible, excluded } = eligibility([offer('a'), offer('b'), offer('c')], { ...clean, underWay: ['b', 'c'] }, 'call');
    expect(eligible.map((c) => c.offerCode)).toEqual(['a']);
    expect(excluded.map((e) => [e.offerCode, e.why])).toEqual([
      ['b', 'the customer has it on order or was referred to it already'], ['c', 'the customer has it on order or was referred to it already']]);
  });

  it('gives a do-not-call or erased customer no sales offer at all', () => {
    expect(eligibility([offer('a'), offer('b')], { ...clean, dnc: true }, 'call').eligible).toEqual([]);
    expect(eligibility([offer('a'), offer('b', { ruleMatched: false })], { ...clean, dnc: true }, 'call').excluded.map((e) => e.offerCode)).toEqual(['a']);
    expect(eligibility([offer('a')], { ...clean, erased: true }, 'app').excluded[0]!.why).toMatch(/erased/);
  });

  it('shows a self-service channel only what it can complete; a call any offer', () => {
    const onCallOnly = offer('a', { channels: ['call'] });
    expect(eligibility([onCallOnly], clean, 'app').eligible).toEqual([]);
    expect(eligibility([onCallOnly], clean, 'call').eligible).toHaveLength(1);
    expect(eligibility([offer('b', { channels: ['sms'] })], clean, 'call').eligible).toHaveLength(1);
  });

  it("merges a campaign's offer over the catalogue's: its segment stands for the rule, the catalogue's value stays", () => {
    const merged = mergeCandidates(
      [offer('a', { ruleMatched: false, value: 40 }), offer('b')],
      [offer('a', { campaignId: 'zeta', value: 99 }), offer('a', { campaignId: 'alpha', value: 99 }), offer('x', { campaignId: 'k', value: 12, channels: ['call'] })],
    );
    expect(merged.find((c) => c.offerCode === 'a')).toMatchObject({ campaignId: 'alpha', ruleMatched: true, value: 40 });
    expect(merged.find((c) => c.offerCode === 'x')).toMatchObject({ campaignId: 'k', value: 12 });
    expect(merged).toHaveLength(3);
  });
});

describe('contact policy', () => {
  const settings = { refusalQuietDays: 30, weeklyCap: 5 };
  it('keeps an offer refused within N days back', () => {
    const r = contactPolicy([offer('a'), offer('b')], { refusedRecently: new Set(['a']), recentRecommendations: 0 }, settings);
    expect(r.allowed.map((c) => c.offerCode)).toEqual(['b']);
    expect(r.excluded).toEqual([{ offerCode: 'a', why: 'refused within the last 30 days' }]);
    expect(r.room).toBe(5);
  });

  it('leaves room for at most M a week over every channel', () => {
    expect(roomLeft(3, 5)).toBe(2);
    expect(roomLeft(7, 5)).toBe(0);
    expect(contactPolicy([offer('a')], { refusedRecently: new Set(), recentRecommendations: 5 }, settings).room).toBe(0);
  });
});

describe('propensity', () => {
  const prior = { priorRate: 0.1, priorWeight: 20 };
  it('starts a new offer at the prior, not at 0 or 1', () => {
    expect(propensity(undefined, undefined, prior)).toBeCloseTo(0.1);
    expect(smoothed({ presented: 1, accepted: 1 }, 0.1, 20)).toBeCloseTo(3 / 21);
    expect(smoothed({ presented: 1, accepted: 0 }, 0.1, 20)).toBeCloseTo(2 / 21);
  });

  it("learns: a segment's counts take over as they grow; an unseen segment starts at the offer's rate elsewhere", () => {
    const overall = { presented: 1000, accepted: 400 };
    const offerRate = smoothed(overall, 0.1, 20);
    expect(propensity(undefined, overall, prior)).toBeCloseTo(offerRate);
    expect(propensity({ presented: 10_000, accepted: 9_000 }, { presented: 10_000, accepted: 9_000 }, prior)).toBeGreaterThan(0.89);
    expect(propensity({ presented: 10, accepted: 10 }, overall, prior)).toBeGreaterThan(offerRate);
  });

  it('counts the first outcome as presented and an acceptance as accepted, once', () => {
    expect(countsDelta([], 'presented')).toEqual({ presented: 1, accepted: 0 });
    expect(countsDelta(['presented'], 'accepted')).toEqual({ presented: 0, accepted: 1 });
    expect(countsDelta([], 'accepted')).toEqual({ presented: 1, accepted: 1 });
    expect(countsDelta(['presented'], 'refused')).toEqual({ presented: 0, accepted: 0 });
  });

  it('keys segments by brand and context', () => {
    expect(segmentKey('mzone', 'call', 'bill-query')).toBe('mzone/bill-query');
    expect(segmentKey(null, 'call', null)).toBe('none/other');
    expect(segmentKey('gotone', 'app', 'fault')).toBe('gotone/app');
  });
});

describe('levers and scripts', () => {
  const lever = (id: number, region: string, value: number, from: string, to: string | null = null): Lever =>
    ({ id, offerCode: 'a', region, lever: value, effectiveFrom: from, effectiveTo: to });
  it("takes a region's own lever over every region's, the latest set in force, 1 when none", () => {
    const levers = [lever(1, '*', 1.5, '2026-01-01'), lever(2, 'gd', 2, '2026-03-01', '2026-04-01'), lever(3, 'gd', 3, '2026-03-10', '2026-03-20')];
    expect(leverFor(levers, 'a', 'gd', '2026-02-01')).toEqual({ lever: 1.5, region: '*' });
    expect(leverFor(levers, 'a', 'gd', '2026-03-05')).toEqual({ lever: 2, region: 'gd' });
    expect(leverFor(levers, 'a', 'gd', '2026-03-15')).toEqual({ lever: 3, region: 'gd' });
    expect(leverFor(levers, 'a', 'gd', '2026-04-01').lever).toBe(1.5);
    expect(leverFor(levers, 'b', 'gd', '2026-03-15')).toEqual({ lever: 1, region: null });
  });

  it("uses the brand's latest active script, else every brand's", () => {
    const s = (brand: string, version: number, active = true): Script => ({ offerCode: 'a', brand, version, body: `${brand} v${version}`, active });
    const scripts = [s('*', 1), s('mzone', 1), s('mzone', 2, false), s('*', 2)];
    expect(scriptFor(scripts, 'a', 'mzone')!.body).toBe('mzone v1');
    expect(scriptFor(scripts, 'a', 'gotone')!.body).toBe('* v2');
    expect(scriptFor(scripts, 'a', null)!.body).toBe('* v2');
    expect(scriptFor(scripts, 'b', 'mzone')).toBeUndefined();
    expect(nextVersion([])).toBe(1);
    expect(nextVersion([1, 3])).toBe(4);
  });

  it("gives the library's script over a campaign's own text, saying which version; the campaign's text when the library has none", () => {
    const s = (brand: string, version: number, active = true): Script => ({ offerCode: 'a', brand, version, body: `${brand} v${version}`, active });
    const scripts = [s('*', 1), s('mzone', 1), s('mzone', 2, false)];
    expect(chooseScript(scripts, 'a', 'mzone', 'our text')).toEqual({ body: 'mzone v1', library: { offerCode: 'a', brand: 'mzone', version: 1 } });
    expect(chooseScript(scripts, 'a', 'gotone', 'our text')).toEqual({ body: '* v1', library: { offerCode: 'a', brand: '*', version: 1 } });
    expect(chooseScript([s('mzone', 1, false)], 'a', 'mzone', 'our text')).toEqual({ body: 'our text', library: null });
    expect(chooseScript(scripts, 'b', 'mzone', 'our text')).toEqual({ body: 'our text', library: null });
    expect(chooseScript(scripts, 'b', 'mzone', null)).toBeNull();
  });
});

describe('arbitration', () => {
  const scored = (offerCode: string, p: number, value: number, lever = 1, over: Partial<Scored> = {}): Scored =>
    ({ ...offer(offerCode, { value }), propensity: p, evidence: { presented: 0, accepted: 0 }, lever, leverRegion: null, ...over });
  const ctx = { channel: 'call' as const, reason: 'bill-query' as const };

  it('ranks by propensity × value × lever, up to the limit', () => {
    const { ranked, below } = arbitrate([scored('a', 0.1, 30), scored('b', 0.2, 30), scored('c', 0.05, 30, 5), scored('d', 0.01, 10)], 3, ctx);
    expect(ranked.map((r) => [r.offerCode, r.rank])).toEqual([['c', 1], ['b', 2], ['a', 3]]);
    expect(ranked[0]!.priority).toBeCloseTo(0.05 * 30 * 5);
    expect(below).toEqual(['d']);
  });

  it('breaks ties the same way every time: a campaign first, then the higher value, then the code', () => {
    const tie = [scored('b', 0.1, 30), scored('a', 0.1, 30), scored('z', 0.2, 15), scored('k', 0.1, 30, 1, { campaignId: 'c1' })];
    expect(priorityOf(tie[0]!)).toBe(priorityOf(tie[2]!));
    const order = (xs: Scored[]) => [...xs].sort(compareScored).map((s) => s.offerCode);
    expect(order(tie)).toEqual(order([...tie].reverse()));
    expect(order(tie)).toEqual(['k', 'a', 'b', 'z']);
  });

  it('leaves an offer with a lever of 0 out', () => {
    const { ranked, zero } = arbitrate([scored('a', 0.5, 30, 0), scored('b', 0.1, 30)], 3, ctx);
    expect(ranked.map((r) => r.offerCode)).toEqual(['b']);
    expect(zero).toEqual([{ offerCode: 'a', why: 'its lever is 0 here' }]);
  });

  it('names the kind of hotline marketing and the reason in words', () => {
    expect(kindOf({ campaignId: 'k', reasons: [], lever: 1, kind: 'active' }, ctx)).toBe('precision');
    expect(kindOf({ reasons: ['bill-query'], lever: 2, kind: 'active' }, ctx)).toBe('cross-sell');
    expect(kindOf({ reasons: ['plan-question'], lever: 1, kind: 'active' }, { channel: 'call', reason: 'plan-question' })).toBe('service');
    expect(kindOf({ reasons: [], lever: 1.5, kind: 'service' }, ctx)).toBe('active');
    expect(kindOf({ reasons: ['bill-query'], lever: 1, kind: 'service' }, { channel: 'app', reason: null })).toBe('service');
    const [r] = arbitrate([scored('a', 0.123, 30, 2, { reasons: ['bill-query'], evidence: { presented: 40, accepted: 5 }, leverRegion: 'gd' })], 3, ctx).ranked;
    expect(r!.reason).toBe('solves the bill query; 12% expected to accept (5 of 40 similar customers did); worth ¥30.00 a month; lever ×2 in gd');
  });
});

describe('decide: the whole pass', () => {
  const facts = (over: Partial<DecisionFacts> = {}): DecisionFacts => ({
    channel: 'call', reason: 'fault', region: 'gd', day: '2026-05-01', segment: 'mzone/fault', customer: clean,
    catalogue: [offer('a'), offer('b', { value: 50 }), offer('c', { value: 10 }), offer('d', { value: 20 })], fromCampaigns: [],
    history: { refusedRecently: new Set(), recentRecommendations: 0 }, counts: new Map(), levers: [], settings: HOTLINE_SETTINGS_DEFAULTS, ...over,
  });

  it('chooses up to three, learned counts moving the order', () => {
    expect(decide(facts()).ranked.map((r) => r.offerCode)).toEqual(['b', 'a', 'd']);
    const counts = new Map([[countsKey('c', 'mzone/fault'), { presented: 100, accepted: 90 }], [countsKey('c', '*'), { presented: 100, accepted: 90 }]]);
    expect(decide(facts({ counts })).ranked.map((r) => r.offerCode)).toEqual(['c', 'b', 'a']);
  });

  it('says when the weekly cap held offers back', () => {
    const d = decide(facts({ history: { refusedRecently: new Set(['b']), recentRecommendations: 4 } }));
    expect(d.ranked.map((r) => r.offerCode)).toEqual(['a']);
    expect(d.capped).toMatch(/4 recommendations in the last 7 days, at most 5/);
    expect(d.notOffered).toEqual(expect.arrayContaining([
      { offerCode: 'b', why: 'refused within the last 30 days' }, { offerCode: 'd', why: d.capped }, { offerCode: 'c', why: d.capped },
    ]));
    expect(decide(facts({ history: { refusedRecently: new Set(), recentRecommendations: 9 } })).ranked).toEqual([]);
    expect(decide(facts()).capped).toBeNull();
  });
});
