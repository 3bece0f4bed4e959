import { describe, expect, it } from 'vitest';
import { dialVerdict, refusedDisposition, type DialFacts } from '../../domain/compliance/dial-checks';
import type { CallingWindow } from '../../domain/campaign/calling-window';

const window: CallingWindow = { start: '08:00', end: '21:00', days: [1, 2, 3, 4, 5, 6, 7], holidays: [] };
const open = new Date('2026-12-01T02:00:00Z'); // 10:00 in Shanghai
const closed = new Date('2026-12-01T14:00:00Z'); // 22:00 in Shanghai
const facts = (over: Partial<DialFacts> = {}): DialFacts => ({
  checkedAt: open, doNotCall: false, stopped: false, contactCap: { maxCalls: 2, days: 30 }, contactsInPeriod: 0,
  window, timeZone: 'Asia/Shanghai', ...over,
});

describe('dial checks: the verdict at the moment of dialing', () => {
  it('clears a call nothing forbids, and keeps what the verdict was made from', () => {
    expect(dialVerdict(facts({ contactsInPeriod: 1 }))).toEqual({
      evidence: {
        checkedAt: open.toISOString(), doNotCall: 'clear', window, timeZone: 'Asia/Shanghai', marginSeconds: 30,
        contactCap: { maxCalls: 2, days: 30, contactsInPeriod: 1 }, result: 'clear',
      },
    });
  });

  it('checks do-not-call, then a stop, then the cap, then the window: the first that holds is the reason', () => {
    const all = { doNotCall: true, stopped: true, contactsInPeriod: 2, checkedAt: closed };
    expect(dialVerdict(facts(all)).blockedBy).toBe('do-not-call');
    expect(dialVerdict(facts({ ...all, doNotCall: false })).blockedBy).toBe('stopped');
    expect(dialVerdict(facts({ ...all, doNotCall: false, stopped: false })).blockedBy).toBe('contact cap');
    expect(dialVerdict(facts({ checkedAt: closed })).blockedBy).toBe('outside window');
  });

  it('a call refused for a reason that ends the lead is blocked, a closed window only postpones it', () => {
    const both = dialVerdict(facts({ doNotCall: true, checkedAt: closed }));
    expect(refusedDisposition(both.blockedBy!)).toBe('blocked');
    expect(refusedDisposition(dialVerdict(facts({ checkedAt: closed })).blockedBy!)).toBe('not-placed');
  });

  it('the cap holds at maxCalls contacts, not before', () => {
    expect(dialVerdict(facts({ contactsInPeriod: 1 })).blockedBy).toBeUndefined();
    expect(dialVerdict(facts({ contactsInPeriod: 2 })).evidence).toMatchObject({ result: 'blocked', blockedBy: 'contact cap' });
  });

  it('without a cap or a window (a follow-up), only do-not-call and a stop count, and the evidence says no more', () => {
    const f = facts({ checkedAt: closed, contactsInPeriod: 9 });
    delete f.contactCap;
    delete f.window;
    expect(dialVerdict(f)).toEqual({ evidence: { checkedAt: closed.toISOString(), doNotCall: 'clear', result: 'clear' } });
    expect(dialVerdict({ ...f, doNotCall: true }).evidence).toEqual({
      checkedAt: closed.toISOString(), doNotCall: 'blocked', result: 'blocked', blockedBy: 'do-not-call',
    });
  });

  it('refuses a call whose window closes within the dial margin after the check: the dialer would take it after the close', () => {
    const edge = new Date('2026-12-01T12:59:59.900Z'); // 20:59:59.9 in Shanghai, the window closes at 21:00
    expect(dialVerdict(facts({ checkedAt: edge })).blockedBy).toBe('outside window');
    expect(dialVerdict(facts({ checkedAt: new Date('2026-12-01T12:59:29Z') })).blockedBy).toBeUndefined(); // 31 s before
    expect(dialVerdict(facts({ checkedAt: new Date('2026-12-01T12:59:31Z') })).evidence).toMatchObject({ blockedBy: 'outside window', marginSeconds: 30 });
    expect(dialVerdict(facts({ checkedAt: new Date('2026-12-01T12:59:31Z'), marginSeconds: 0 })).blockedBy).toBeUndefined();
  });

  it("refuses a number on the campaign's suppression list after do-not-call and before a stop, as its own reason, and says so in the evidence", () => {
    expect(dialVerdict(facts({ suppressed: true, stopped: true })).blockedBy).toBe('suppressed');
    expect(dialVerdict(facts({ suppressed: true, doNotCall: true })).blockedBy).toBe('do-not-call');
    const { evidence } = dialVerdict(facts({ suppressed: true }));
    expect(evidence).toMatchObject({ suppressionList: 'blocked', result: 'blocked', blockedBy: 'suppressed' });
    expect(dialVerdict(facts({ suppressed: false })).evidence.suppressionList).toBe('clear');
    expect(dialVerdict(facts()).evidence).not.toHaveProperty('suppressionList'); // follow-up calls: no campaign list
    expect(refusedDisposition('suppressed')).toBe('blocked');
  });
});
