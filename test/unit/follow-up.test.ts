import { describe, expect, it } from 'vitest';
import { OrderPolicySchema } from '../../domain/campaign/campaign';
import { DEFAULT_WINDOW, type CallingWindow } from '../../domain/campaign/window-time';
import { followUpCallRules } from '../../domain/order/follow-up';

const campaignWindow: CallingWindow = { start: '09:00', end: '20:00', days: [1, 2, 3, 4, 5], holidays: [] };
const offer = { code: 'vas-video', name: 'Video pack', price: 15 };

describe("a follow-up call's rules", () => {
  it("keep to the policy's own window, else the campaign's, else 08:00-21:00, in the customer's zone", () => {
    const own = OrderPolicySchema.parse({ followUpWindow: { start: '10:00', end: '18:00' } });
    expect(followUpCallRules(own, { timeZone: 'Asia/Shanghai', campaignWindow })).toEqual({
      window: { start: '10:00', end: '18:00', days: [1, 2, 3, 4, 5, 6, 7], holidays: [] }, timeZone: 'Asia/Shanghai', offers: false,
    });
    const none = OrderPolicySchema.parse({});
    expect(followUpCallRules(none, { timeZone: 'Asia/Urumqi', campaignWindow }).window).toEqual(campaignWindow);
    expect(followUpCallRules(none, { timeZone: 'Asia/Urumqi' }).window).toEqual(DEFAULT_WINDOW);
  });

  it("a follow-up that offers something is a marketing call: the campaign's cap, else 4 in 30 days; a survey has none", () => {
    const offering = OrderPolicySchema.parse({ followUpOffer: offer });
    expect(followUpCallRules(offering, { timeZone: 'Asia/Shanghai', campaignContactCap: { maxCalls: 2, days: 7 } }))
      .toMatchObject({ offers: true, contactCap: { maxCalls: 2, days: 7 } });
    expect(followUpCallRules(offering, { timeZone: 'Asia/Shanghai' })).toMatchObject({ offers: true, contactCap: { maxCalls: 4, days: 30 } });
    expect(followUpCallRules(OrderPolicySchema.parse({}), { timeZone: 'Asia/Shanghai', campaignContactCap: { maxCalls: 2, days: 7 } }).contactCap).toBeUndefined();
  });

  it('a policy with a window that never ends after it starts is refused where it enters (422 at the API)', () => {
    expect(OrderPolicySchema.safeParse({ followUpWindow: { start: '18:00', end: '10:00' } }).success).toBe(false);
  });
});
