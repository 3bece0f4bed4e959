import { describe, expect, it } from 'vitest';
import { CampaignDefinitionSchema, SettingsChangeSchema, controlRefusal } from '../../domain/campaign/campaign';
import { campaignWorkflowId, salesCallId } from '../../domain/campaign/ids';
import { deliveryIdFor, orderIdFor, orderWorkflowId } from '../../domain/order/ids';
import { maskMsisdn } from '../../domain/compliance/masking';

const minimal = { name: 'Fibre upsell', offer: { code: 'fiber-300', name: 'Fibre 300M', price: 99 }, segment: { maxLeads: 1000 } };

describe('campaign definition', () => {
  it('fills the defaults a marketer may leave out', () => {
    const d = CampaignDefinitionSchema.parse(minimal);
    expect(d.dialing).toEqual({ maxConcurrentCalls: 10, maxAttempts: 3, retryDelaySeconds: 600, callbackGraceSeconds: 900 });
    expect(d.pacing).toEqual({ mode: 'progressive', callsPerAgent: 1.5, maxAbandonRate: 0.03, abandonWindowCalls: 100 });
    expect(d.orders.followUpDelaySeconds).toBe(7 * 86_400);
    expect(d.segment).toEqual({ maxLeads: 1000 });
  });

  it('names the field of every mistake', () => {
    const r = CampaignDefinitionSchema.safeParse({
      ...minimal, offer: { code: 'Bad Code', name: '', price: -1 }, dialing: { maxConcurrentCalls: 0 }, extra: 1,
    });
    expect(r.success).toBe(false);
    const paths = r.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['offer.code', 'offer.name', 'offer.price', 'dialing.maxConcurrentCalls']));
    expect(r.error!.issues.some((i) => i.code === 'unrecognized_keys')).toBe(true);
  });

  it('refuses controls that make no sense in the status', () => {
    expect(controlRefusal('pause', 'running')).toBeUndefined();
    expect(controlRefusal('pause', 'paused')).toMatch(/already paused/);
    expect(controlRefusal('resume', 'running')).toMatch(/not paused/);
    expect(controlRefusal('cancel', 'completed')).toMatch(/already completed/);
  });
});

describe('ids and masking', () => {
  it('derives every id from the business key', () => {
    expect(campaignWorkflowId('spring')).toBe('campaign-spring');
    expect(orderIdFor('spring', 42)).toBe('spring-l42');
    expect(orderWorkflowId(orderIdFor('spring', 42))).toBe('order-spring-l42');
    expect(salesCallId('spring', 42, 2)).toBe('spring-l42-a2');
    expect(deliveryIdFor('spring-l42', 1)).toBe('spring-l42-d1');
  });

  it('masks the middle of a phone number', () => {
    expect(maskMsisdn('13812345678')).toBe('138****5678');
    expect(maskMsisdn('123')).toBe('***');
  });
});

describe('campaign limits', () => {
  it('stops at the quota or the end date, whichever comes first', async () => {
    const { stopReason } = await import('../../domain/campaign/campaign');
    const end = '2026-12-01T00:00:00Z';
    expect(stopReason({}, 1000, Date.parse(end))).toBeUndefined();
    expect(stopReason({ quota: 5 }, 4, 0)).toBeUndefined();
    expect(stopReason({ quota: 5 }, 5, 0)).toBe('quota reached');
    expect(stopReason({ endAt: end }, 0, Date.parse(end) - 1)).toBeUndefined();
    expect(stopReason({ endAt: end }, 0, Date.parse(end))).toBe('end date');
  });

  it('refuses an end before the start, naming endAt', () => {
    const r = CampaignDefinitionSchema.safeParse({ ...minimal, startAt: '2026-12-02T09:00:00+08:00', endAt: '2026-12-01T09:00:00+08:00' });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path).toEqual(['endAt']);
  });

  it('asks a team of preview and predictive campaigns, naming team', () => {
    for (const mode of ['preview', 'predictive'] as const) {
      const r = CampaignDefinitionSchema.safeParse({ ...minimal, pacing: { mode } });
      expect(r.success).toBe(false);
      expect(r.error!.issues[0]!.path).toEqual(['team']);
      expect(CampaignDefinitionSchema.safeParse({ ...minimal, team: 'outbound-a', pacing: { mode } }).success).toBe(true);
    }
  });

  it('takes a settings change in parts, and refuses an empty or bad one with its path', () => {
    expect(SettingsChangeSchema.safeParse({ pacing: { mode: 'predictive' } }).success).toBe(true);
    expect(SettingsChangeSchema.safeParse({ window: { start: '09:00', end: '18:00' } }).success).toBe(true);
    const paths = (v: unknown) => SettingsChangeSchema.safeParse(v).error?.issues.map((i) => i.path.join('.'));
    expect(paths({})).toEqual(['']);
    expect(paths({ pacing: {} })).toEqual(['pacing']);
    expect(paths({ window: { start: '18:00', end: '09:00' } })).toEqual(['window.end']);
    expect(paths({ dialing: { retryDelays: { abandoned: -1 } } })).toEqual(['dialing.retryDelays.abandoned']);
  });
});
