import { describe, expect, it } from 'vitest';
import { CampaignDefinitionSchema } from '../../domain/campaign/campaign';
import { withDefinitionDefaults } from '../../domain/campaign/definition';
import { CALL_TIMEOUT_MS, CampaignState } from '../../workflows/campaign/state';
import type { CarriedState } from '../../workflows/campaign/messages';
import { carryOf, progressOf } from '../../workflows/campaign/progress';

const definition = () => withDefinitionDefaults({ id: 'c-1', name: 'Campaign', offer: { code: 'fiber-300', name: 'Fibre', price: 99 }, segment: { maxLeads: 10 }, quota: 2 });
const call = (leadId: number, attemptNo = 1) => ({ callId: `c-1-l${leadId}-a${attemptNo}`, leadId, attemptNo });

describe('CampaignState', () => {
  it('starts pulling its list on the first run, and from the carried counters on the next', () => {
    const first = new CampaignState(definition());
    expect(first.status()).toBe('pulling');
    const carried: CarriedState = { listed: 10, attempts: 4, connected: 2, accepted: 1, ordered: 1, paused: true, run: 3, stops: [{ leadId: 7, reason: 'complaint' }] };
    const next = new CampaignState(definition(), carried);
    expect(next.status()).toBe('paused');
    expect(progressOf(next)).toMatchObject({ listed: 10, attempts: 4, accepted: 1, run: 3 });
    expect(next.takeStops()).toEqual([{ leadId: 7, reason: 'complaint' }]);
    expect(next.takeStops()).toEqual([]);
  });

  it('carries its last funnel reading to the next run, and says whether anything moved since it', () => {
    const s = new CampaignState(definition());
    expect(progressOf(s).funnel).toBeNull();
    const reading = { funnel: { listed: 3, dialed: 2, connected: 1, accepted: 1, ordered: 1, delivered: 0, activated: 0, followedUp: 0 }, asOf: '2026-12-01T09:00:00.000Z' };
    s.funnel = reading;
    s.funnelMark = s.movement();
    expect(s.movement()).toBe(s.funnelMark);
    s.track([call(1)], 0, false);
    s.receive({ callId: call(1).callId, disposition: 'busy', connected: false });
    expect(s.movement()).not.toBe(s.funnelMark);
    expect(progressOf(new CampaignState(definition(), carryOf(s))).funnel).toEqual(reading);
  });

  it('takes each call end once, for its own calls only, and counts an acceptance as it comes', () => {
    const s = new CampaignState(definition());
    s.track([call(1), call(2)], 0, false);
    s.receive({ callId: call(1).callId, disposition: 'accepted', connected: true });
    s.receive({ callId: call(1).callId, disposition: 'accepted', connected: true }); // a repeat
    s.receive({ callId: 'someone-else', disposition: 'busy', connected: false });
    expect(s.accepted).toBe(1);
    expect(s.ended).toHaveLength(1);
    expect(s.live()).toBe(1);
    expect(s.inFlight()).toBe(2);
  });

  it('settles a batch: the retry rule per call, then the counters; answers the leads to order', () => {
    const s = new CampaignState(definition());
    s.track([call(1), call(2), call(3)], 0, false);
    s.receive({ callId: call(1).callId, disposition: 'accepted', connected: true });
    s.receive({ callId: call(2).callId, disposition: 'busy', connected: false });
    s.receive({ callId: call(3).callId, disposition: 'not-placed', connected: false });
    const { batch, settled } = s.verdicts(2);
    expect(settled.map((c) => [c.leadId, c.step.kind])).toEqual([[1, 'done'], [2, 'retry']]);
    expect(s.ended).toHaveLength(1); // the rest waits for the next batch
    expect(s.settled(batch)).toEqual([1]);
    expect(s.settled(s.verdicts(2).batch)).toEqual([]);
    expect({ attempts: s.attempts, connected: s.connected, calls: s.calls.size }).toEqual({ attempts: 2, connected: 1, calls: 0 });
  });

  it('stops at the quota, and says completed once no call is in flight', () => {
    const s = new CampaignState(definition());
    s.pulling = false;
    s.accepted = 2;
    expect(s.stopReason(0)).toBe('quota reached');
    s.track([call(1)], 0, false);
    s.finish('quota reached');
    expect(s.status()).toBe('running');
    s.receive({ callId: call(1).callId, disposition: 'busy', connected: false });
    s.settled(s.verdicts(10).batch);
    expect(s.status()).toBe('completed');
    expect(progressOf(s).endedBecause).toBe('quota reached');
  });

  it('refuses controls by status; a cancel keeps its reason and refuses the rest', () => {
    const s = new CampaignState(definition());
    s.pulling = false;
    expect(s.refusal('resume')).toBe('campaign is running, not paused');
    s.pause('2026-12-01T08:00:00.000Z', { sub: 'alice', role: 'marketing' });
    expect(s.refusal('pause')).toBe('campaign is already paused');
    expect(progressOf(s).lastControl).toEqual({ action: 'paused', at: '2026-12-01T08:00:00.000Z', by: { sub: 'alice', role: 'marketing' } });
    s.cancel(undefined, '2026-12-01T09:00:00.000Z');
    expect(s.refusal('resume')).toBe('campaign is being cancelled');
    expect(progressOf(s).cancelled).toEqual({ at: '2026-12-01T09:00:00.000Z', reason: 'no reason given' });
    expect(s.status()).toBe('cancelled');
  });

  it('applies a settings change as given: merged, the window whole with its defaults', () => {
    const s = new CampaignState(definition());
    s.applySettings({ dialing: { maxAttempts: 5 }, pacing: { callsPerAgent: 2 }, window: { start: '09:00', end: '17:00' } });
    expect(s.def.dialing).toMatchObject({ maxAttempts: 5, maxConcurrentCalls: 10 });
    expect(s.def.pacing).toMatchObject({ mode: 'progressive', callsPerAgent: 2 });
    expect(s.def.window).toEqual({ start: '09:00', end: '17:00', days: [1, 2, 3, 4, 5, 6, 7], holidays: [] });
    expect(s.settings).toBe(1);
    expect(s.def).toEqual({ ...CampaignDefinitionSchema.parse({ ...definition(), dialing: { ...definition().dialing, maxAttempts: 5 }, pacing: { ...definition().pacing, callsPerAgent: 2 }, window: s.def.window }), id: 'c-1' });
  });

  it('finds overdue calls: a dialer call after its timeout, never one the dialer has not taken', () => {
    const s = new CampaignState(definition());
    s.track([call(1)], 0, false);
    s.track([call(2)], 0, true);
    expect(s.overdue(CALL_TIMEOUT_MS - 1)).toEqual([]);
    expect(s.overdueIn(CALL_TIMEOUT_MS - 5_000)).toBe(5_000);
    expect(s.overdue(CALL_TIMEOUT_MS).map((c) => c.leadId)).toEqual([1]);
    expect(s.overdueIn(CALL_TIMEOUT_MS + 60_000)).toBe(1_000); // at least a second
  });

  it('knows the leads an agent holds in preview, and not one being reported', () => {
    const s = new CampaignState(definition());
    s.calls.set('p1', { ...call(1), callId: 'p1', since: 0, agentId: 'a1', preview: true });
    s.calls.set('p2', { ...call(2), callId: 'p2', since: 0, agentId: 'a1', preview: true });
    expect(s.holding('a1')).toBe(2);
    expect(s.heldBy('a1', 2)?.callId).toBe('p2');
    s.calls.get('p2')!.reporting = true;
    expect(s.heldBy('a1', 2)).toBeUndefined();
    expect(s.heldBy('a2', 1)).toBeUndefined();
  });

  it('ends with unplaced calls looked up at the dialer, not written off: overdue now, confirmed as the dialer answers', () => {
    const s = new CampaignState(definition());
    s.track([call(1), call(2), call(3)], 0, true);
    s.track([call(4)], 0, false);
    expect(s.waiting().map((c) => c.leadId)).toEqual([4]); // no clock runs while they wait to be placed
    s.confirmUnplaced(1_000);
    expect(s.overdue(1_000).map((c) => c.leadId)).toEqual([1, 2, 3]);
    expect(s.confirming()).toBe(3);
    expect(s.ended).toEqual([]);
    s.atDialer([call(1).callId], 2_000); // still ringing there: its end is awaited like any call's
    expect(s.calls.get(call(1).callId)).toMatchObject({ since: 2_000 });
    s.receive({ callId: call(2).callId, disposition: 'accepted', connected: true });
    expect(s.confirming()).toBe(1);
    expect(s.overdue(2_000).map((c) => c.leadId)).toEqual([3]);
  });

  it('carries what the next run needs, and only what is there', () => {
    const s = new CampaignState(definition());
    expect(carryOf(s)).toEqual({ listed: 0, attempts: 0, connected: 0, accepted: 0, ordered: 0, abandoned: 0, paused: false, run: 1 });
    s.track([call(1), call(2)], 5, true);
    s.receive({ callId: call(2).callId, disposition: 'busy', connected: false });
    s.stop({ leadId: 9, reason: 'asked' });
    s.outages.failed('dialer', 'connection refused', 0);
    s.startHandOver();
    const carried = carryOf(s);
    expect(carried.calls?.map((c) => c.leadId)).toEqual([1, 2]);
    expect(carried.calls?.[0]).toMatchObject({ since: 5, unplaced: true });
    expect(carried.ended).toEqual([{ callId: call(2).callId, disposition: 'busy', connected: false }]);
    expect(carried.stops).toEqual([{ leadId: 9, reason: 'asked' }]);
    expect(carried.outages).toHaveLength(1);
    expect(progressOf(s).handingOver).toBe(true);
    const next = new CampaignState(definition(), carried);
    expect(next.live()).toBe(1);
    expect(next.run).toBe(1);
  });
});
