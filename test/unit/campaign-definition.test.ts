import { describe, expect, it } from 'vitest';
import { CampaignDefinitionSchema, SettingsChangeSchema, type CampaignDefinitionInput } from '../../domain/campaign/campaign';
import { definitionProblems, withDefinitionDefaults, withWindowDefaults } from '../../domain/campaign/definition';
import { AgentReportSchema } from '../../domain/campaign/dialing';
import { testCampaign } from '../support/campaigns';

// The campaign workflow no longer parses its input and updates with the schemas (a tightened
// schema would change what a recorded history replays to); the plain-data defaults it applies
// instead must give what the parse gave, or an old history would replay to other commands.

const minimal: CampaignDefinitionInput = { id: 'c-min', name: 'Minimal', offer: { code: 'fiber-300', name: 'Fibre', price: 99 }, segment: { maxLeads: 10 } };
const definitions: [string, CampaignDefinitionInput][] = [
  ['minimal', minimal],
  ['the tests\' campaign', testCampaign('c-test')],
  ['partial dialing, pacing and window', {
    ...minimal,
    team: 'north',
    dialing: { maxAttempts: 5, retryDelays: { busy: 60 } },
    pacing: { mode: 'predictive', callsPerAgent: 2 },
    window: { start: '09:00', end: '18:00', days: [1, 2, 3, 4, 5] },
  }],
  ['everything given', {
    ...minimal,
    script: 'Good morning, ...',
    team: 'south',
    segment: { regions: ['bj'], plans: ['basic'], inNetwork: true, maxLeads: 100 },
    dialing: { maxConcurrentCalls: 3, maxAttempts: 2, retryDelaySeconds: 30, retryDelays: { 'no-answer': 10 }, callbackGraceSeconds: 60 },
    pacing: { mode: 'preview', callsPerAgent: 1, maxAbandonRate: 0.01, abandonWindowCalls: 50 },
    window: { start: '08:00', end: '20:00', days: [6, 7], holidays: ['2026-10-01'] },
    contactCap: { maxCalls: 2, days: 7 },
    orders: { followUpDelaySeconds: 5, delivery: { refused: { action: 'hold' } }, holdSla: { escalateAfterSeconds: 100 } },
    startAt: '2026-12-01T08:00:00Z', endAt: '2026-12-31T08:00:00Z', quota: 50,
    holdout: { share: 0.1 },
  }],
  ['the whole segment (an admin\'s)', { ...minimal, segment: { inNetwork: true, everyone: true } }],
  ['an offer with items and payment', {
    ...minimal,
    offer: { code: 'mesh', name: 'Mesh Wi-Fi', price: 20, ships: [{ sku: 'router', qty: 2 }], collect: { method: 'deposit', amount: 100 } },
  }],
];

describe('the campaign definition without a parse in the workflow', () => {
  it.each(definitions)('%s: withDefinitionDefaults equals CampaignDefinitionSchema.parse', (_name, d) => {
    const parsed = CampaignDefinitionSchema.parse(d);
    expect(withDefinitionDefaults({ ...d, id: d.id! })).toEqual(parsed);
    // what the API hands over is already parsed: the defaults change nothing of it
    expect(withDefinitionDefaults({ ...parsed, id: d.id! })).toEqual(parsed);
  });

  it('accepts every definition the schema accepts', () => {
    for (const [, d] of definitions) expect(definitionProblems(CampaignDefinitionSchema.parse(d))).toEqual([]);
    for (const [, d] of definitions) expect(definitionProblems(d)).toEqual([]);
  });

  it('refuses what the workflow cannot run without, with the field path', () => {
    expect(definitionProblems({ ...minimal, id: undefined })).toEqual(['id: missing']);
    expect(definitionProblems({ ...minimal, dialing: { maxConcurrentCalls: 0 } })).toEqual(['dialing.maxConcurrentCalls: a whole number, at least 1']);
    expect(definitionProblems({ id: 'x' })).toEqual(['name: required', 'offer: required']);
    expect(definitionProblems({ ...minimal, offer: { code: 'x' } })).toEqual(['offer.name: required', 'offer.price: required']);
    expect(definitionProblems({ ...minimal, pacing: { mode: 'preview' } })[0]).toMatch(/^team: /);
    expect(definitionProblems(undefined)).toContain('id: missing');
  });
});

describe('the updates applied as given', () => {
  const windows = [{ start: '09:00', end: '17:00' }, { start: '00:00', end: '24:00', days: [1], holidays: ['2026-12-25'] }];
  it.each(windows.map((w, i) => [i, w] as const))('window %i: withWindowDefaults equals the settings parse', (_i, w) => {
    expect(withWindowDefaults(w)).toEqual(SettingsChangeSchema.parse({ window: w }).window);
  });

  it('an agent report: the fields the parse kept are the ones the handler takes', () => {
    const report = { disposition: 'callback-requested' as const, callbackAt: '2026-12-01T10:00:00Z', durationSec: 30 };
    expect(AgentReportSchema.parse(report)).toEqual(report);
    expect(AgentReportSchema.parse({ disposition: 'busy' })).toEqual({ disposition: 'busy' });
  });
});
