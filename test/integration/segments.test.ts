import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Rule } from '../../domain/campaign/segment';
import { campaignWorkflowId } from '../../domain/campaign/ids';
import { createCampaignActivities } from '../../activities/campaign/campaigns';
import { SqlParams, segmentWhere } from '../../db/campaign/segment-sql';
import { startHarness, uniqueId, type Harness } from '../support/harness';

let h: Harness;
beforeAll(async () => { h = await startHarness(); });
afterAll(async () => { await h?.close(); });

const count = async (sql: string) => Number((await h.db.query<{ n: string }>(`SELECT count(*) AS n FROM customers c WHERE ${sql}`)).rows[0]!.n);
const countRule = async (rule: Rule) => {
  const p = new SqlParams();
  const where = segmentWhere({ rule }, p);
  return Number((await h.db.query<{ n: string }>(`SELECT count(*) AS n FROM customers c WHERE ${where}`, p.values)).rows[0]!.n);
};

describe('segment rules on real data', () => {
  const cases: [string, Rule, string][] = [
    ['contract ending', { factor: 'contractEndsWithinDays', days: 90 }, `contract_end BETWEEN current_date AND current_date + 90`],
    ['spend falling 20%+', { factor: 'spendChangePct', op: 'lte', value: -20 }, `spend_prev_month > 0 AND spend_last_month <= spend_prev_month * 0.8`],
    ['long tenure', { factor: 'tenureMonths', op: 'gte', value: 60 }, 'tenure_months >= 60'],
    ['complainers', { factor: 'complaints90d', op: 'gt', value: 0 }, 'complaints_90d > 0'],
    ['in arrears', { factor: 'arrears', op: 'gt', value: 0 }, 'arrears > 0'],
    ['a plan', { factor: 'plan', in: ['family-88', 'plus-58'] }, `plan IN ('family-88', 'plus-58')`],
    ['a region', { factor: 'region', in: ['xj'] }, `region = 'xj'`],
    ['owners', { factor: 'ownsService', code: 'vas-music' }, `'vas-music' = ANY(services)`],
    ['prospects', { factor: 'inNetwork', value: false }, 'NOT in_network'],
    ['retention mix',
      { all: [{ factor: 'inNetwork', value: true }, { any: [{ factor: 'contractEndsWithinDays', days: 60 }, { factor: 'complaints90d', op: 'gte', value: 2 }] }, { not: { factor: 'region', in: ['gd'] } }] },
      `in_network AND (contract_end BETWEEN current_date AND current_date + 60 OR complaints_90d >= 2) AND region <> 'gd'`],
  ];
  for (const [name, rule, sql] of cases) {
    it(`${name}: the compiled rule selects what hand-written SQL selects`, async () => {
      const expected = await count(sql);
      expect(await countRule(rule)).toBe(expected);
      expect(expected).toBeGreaterThan(0);
    });
  }

  it('a hostile value is only ever data', async () => {
    expect(await countRule({ factor: 'city', in: ["x'); DELETE FROM customers; --"] })).toBe(0);
    expect(await count('true')).toBeGreaterThan(0);
  });
});

describe('POST /segments/preview', () => {
  it('answers the count, the exclusions and a masked sample, and matches what a pull lists', async () => {
    const segment = { regions: ['gd', 'zj'], rule: { not: { factor: 'tenureMonths', op: 'lt', value: 12 } } as Rule };
    const res = await h.inject({ method: 'POST', url: '/segments/preview', payload: { segment, offerCode: 'vas-video' } });
    expect(res.statusCode).toBe(200);
    const preview = res.json();
    const { excluded } = preview;
    expect(preview.matching).toBeGreaterThan(preview.listed);
    expect(preview.listed).toBe(preview.matching - excluded.invalidNumber - excluded.doNotCall - excluded.ownsOffer - excluded.contactCap - excluded.duplicateNumber);
    expect(preview.sample.length).toBe(10);
    for (const s of preview.sample) expect(s.msisdn).toMatch(/^\d{3}\*+\d{4}$/);
    expect(preview.rule).toBe('not tenureMonths < 12');

    const campaignId = uniqueId('preview');
    await h.db.query(`INSERT INTO campaigns (id, name, definition, status, workflow_id) VALUES ($1, 'p', '{}', 'pending', $2)`, [campaignId, campaignWorkflowId(campaignId)]);
    const pulled = await createCampaignActivities(h.db).pullList({ campaignId, segment, offerCode: 'vas-video' });
    expect(pulled.listed).toBe(preview.listed);
  });

  it('refuses bad rules with the field path', async () => {
    const bad = async (payload: unknown, path: string, status = 400) => {
      const res = await h.inject({ method: 'POST', url: '/segments/preview', payload: payload as object });
      expect(res.statusCode, res.body).toBe(status);
      expect(res.json().issues.map((i: { path: string }) => i.path).join(' ')).toContain(path);
    };
    await bad({ segment: { rule: { factor: 'tenureMonths', op: 'about', value: 3 } } }, 'body.segment.rule');
    await bad({ segment: { rule: { all: [] } } }, 'body.segment.rule');
    await bad({ segment: { regions: ['zz'] } }, 'body.segment.regions.0', 422); // well-formed, but not a region we serve
    await bad({ segment: {}, offerCode: 'NOT VALID' }, 'body.offerCode');
    await bad({ segment: {}, extra: true }, 'body');
    await bad({}, 'body.segment');
  });
});
