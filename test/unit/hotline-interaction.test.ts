import { describe, expect, it } from 'vitest';
import { InboundEventSchema as SimInboundEventSchema } from '../../sim/dialer-contract';
import { InboundEventSchema, callFacts, laterStatus, ourReason, workflowStep, type InboundEvent } from '../../domain/hotline/call-events';
import { EXPIRY_RECHECK_MS, InteractionState } from '../../workflows/hotline/state';
import type { InteractionWorkflowInput } from '../../workflows/hotline/messages';

/** The dialer's inbound events as the API reads them, and the interaction workflow's state (docs/hotline.md). */

const common = {
  eventId: 'in-1/inbound.ended', callId: 'in-1', ani: '+8613700000001', customerId: 7, reason: 'bill-query', team: 'hotline',
  arrivedAt: '2026-03-02T10:00:00.000Z', queueWaitSec: 12.5,
};
const ended: InboundEvent = {
  ...common, event: 'inbound.ended', agentId: 'A1', offeredAt: '2026-03-02T10:00:12.500Z', answeredAt: '2026-03-02T10:00:14.500Z',
  endedAt: '2026-03-02T10:04:14.500Z', talkSec: 240, wrapUpSec: 20, handleSec: 260, endedBy: 'caller',
};
const abandoned: InboundEvent = { ...common, event: 'inbound.abandoned', eventId: 'in-1/inbound.abandoned', abandonedAt: '2026-03-02T10:02:00.000Z', cause: 'caller-hung-up' };

describe("the dialer's inbound events", () => {
  it('are read as the sim sends them: whatever its contract accepts, ours does (and drops what it adds later)', () => {
    for (const e of [ended, abandoned, { ...common, event: 'inbound.offered', agentId: 'A1', offeredAt: ended.offeredAt }]) {
      expect(SimInboundEventSchema.safeParse(e).success).toBe(true);
      expect(InboundEventSchema.parse(e)).toEqual(e);
    }
    expect(InboundEventSchema.parse({ ...ended, somethingNew: 1 })).toEqual(ended);
    expect(InboundEventSchema.safeParse({ ...ended, queueWaitSec: 1e9 }).success).toBe(false);
    expect(InboundEventSchema.safeParse({ ...ended, endedAt: '2026-02-30T00:00:00Z' }).success).toBe(false);
  });

  it('tell the call as the interaction records it: status, times, handle time, our reason', () => {
    expect(callFacts(ended)).toMatchObject({
      status: 'ended', agentId: 'A1', at: ended.endedAt, answeredAt: ended.answeredAt, endedAt: ended.endedAt, handleSec: 260, wrapUpSec: 20,
      endedBy: 'caller', reason: 'bill-query', customerId: 7, abandonCause: null,
    });
    expect(callFacts(abandoned)).toMatchObject({ status: 'abandoned', agentId: null, endedAt: abandoned.abandonedAt, abandonCause: 'caller-hung-up', answeredAt: null });
    expect(callFacts({ ...abandoned, customerId: undefined }).customerId).toBeNull();
    expect(ourReason('roaming')).toBe('other');
    expect(ourReason('fault')).toBe('fault');
  });

  it('only move a call on, and start or end its workflow when it is answered or ended', () => {
    expect(laterStatus('ended', 'open')).toBe('ended');
    expect(laterStatus('queued', 'open')).toBe('open');
    expect(laterStatus('open', 'queued')).toBe('open');
    expect(laterStatus('queued', 'abandoned')).toBe('abandoned');
    expect(['inbound.offered', 'inbound.answered', 'inbound.abandoned', 'inbound.ended'].map((e) => workflowStep(e as InboundEvent['event'])))
      .toEqual(['none', 'start', 'none', 'end']);
  });
});

const input: InteractionWorkflowInput = { interactionId: 5, channel: 'call', customerId: 7, callOpen: true, callId: 'in-1', agentId: 'A1', team: 'hotline' };
const at = (iso: string) => Date.parse(iso);

describe('the interaction as its workflow follows it', () => {
  it('lives while the call lasts and until every referral is resolved; each message counts once', () => {
    const s = new InteractionState(input);
    expect(s.phase()).toBe('call');
    s.referred({ recommendationId: 1, offerCode: 'fiber', channel: 'app', expiresAt: '2026-03-09T10:00:00Z' });
    s.referred({ recommendationId: 2, offerCode: 'video', channel: 'sms', expiresAt: '2026-03-09T11:00:00Z' });
    const v = s.version;
    s.referred({ recommendationId: 1, offerCode: 'fiber', channel: 'app', expiresAt: '2026-03-09T10:00:00Z' });
    expect(s.version).toBe(v);
    expect(s.waitingFor()).toMatch(/^the call to end \(agent A1\); then the customer's orders: fiber in the app until/);
    s.callEnded({ endedAt: '2026-03-02T10:04:14Z' });
    s.callEnded({ endedAt: '2026-03-02T10:09:00Z' });
    expect(s.view()).toMatchObject({ phase: 'following-up', callOpen: false, endedAt: '2026-03-02T10:04:14Z' });
    expect(s.nextDeadline(0)).toBe(at('2026-03-09T10:00:00Z'));
    s.completed({ recommendationId: 1, orderId: 'api-ss-app-1' });
    expect(s.due(at('2026-03-09T12:00:00Z')).map((r) => r.recommendationId)).toEqual([2]);
    s.resolved(2, { status: 'open', expiresAt: '2026-03-09T11:00:05Z' });
    expect(s.phase()).toBe('following-up');
    s.resolved(2, { status: 'expired' });
    expect(s.phase()).toBe('done');
    expect(s.view().referrals).toEqual([
      { recommendationId: 1, offerCode: 'fiber', channel: 'app', expiresAt: '2026-03-09T10:00:00Z', status: 'completed', orderId: 'api-ss-app-1' },
      { recommendationId: 2, offerCode: 'video', channel: 'sms', expiresAt: '2026-03-09T11:00:05Z', status: 'expired' },
    ]);
    expect(s.details()).toContain('fiber → the app: completed by order api-ss-app-1');
    expect(s.details()).toContain('video → the SMS hall: expired, never completed');
  });

  it("waits a few seconds before asking again when Postgres's clock says the window is still open", () => {
    const s = new InteractionState({ ...input, callOpen: false });
    s.referred({ recommendationId: 5, offerCode: 'fiber', channel: 'app', expiresAt: '2026-03-09T10:00:00Z' });
    const now = at('2026-03-09T10:00:00.001Z');
    expect(s.due(now).map((r) => r.recommendationId)).toEqual([5]);
    // The same window back (Postgres behind): not due again at once, the next wake a few seconds on.
    s.resolved(5, { status: 'open', expiresAt: '2026-03-09T10:00:00Z' }, now);
    expect(s.due(now + 1)).toEqual([]);
    expect(s.nextDeadline(0)).toBe(now + EXPIRY_RECHECK_MS);
    expect(s.due(now + EXPIRY_RECHECK_MS).map((r) => r.recommendationId)).toEqual([5]);
    // A later window Postgres names is waited for itself.
    s.resolved(5, { status: 'open', expiresAt: '2026-03-09T11:00:00Z' }, now + EXPIRY_RECHECK_MS);
    expect(s.nextDeadline(0)).toBe(at('2026-03-09T11:00:00Z'));
    // A history from before the patch (no time given) waits for the window alone.
    const old = new InteractionState({ ...input, callOpen: false });
    old.referred({ recommendationId: 6, offerCode: 'fiber', channel: 'app', expiresAt: '2026-03-09T10:00:00Z' });
    old.resolved(6, { status: 'open', expiresAt: '2026-03-09T10:00:00Z' });
    expect(old.nextDeadline(0)).toBe(at('2026-03-09T10:00:00Z'));
  });

  it('takes a completion heard before its referral, and an order found when the window closed', () => {
    const s = new InteractionState({ ...input, callOpen: false });
    s.completed({ recommendationId: 3, orderId: 'o-3' });
    s.referred({ recommendationId: 3, offerCode: 'fiber', channel: 'app', expiresAt: '2026-03-09T10:00:00Z' });
    expect(s.view().referrals).toEqual([{ recommendationId: 3, offerCode: 'fiber', channel: 'app', expiresAt: '2026-03-09T10:00:00Z', status: 'completed', orderId: 'o-3' }]);
    s.referred({ recommendationId: 4, offerCode: 'video', channel: 'web', expiresAt: '2026-03-09T10:00:00Z' });
    s.resolved(4, { status: 'completed', orderId: 'o-4' });
    expect(s.phase()).toBe('done');
    expect(s.view().referrals[1]).toMatchObject({ status: 'completed', orderId: 'o-4' });
  });

  it("takes a call whose end never comes as over at its deadline", () => {
    const s = new InteractionState(input);
    expect(s.nextDeadline(1_000)).toBe(1_000);
    s.assumeEnded();
    expect(s.view()).toMatchObject({ phase: 'done', endAssumed: true });
    expect(s.details()).toMatch(/never reported/);
  });
});
