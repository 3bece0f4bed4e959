import { describe, expect, it } from 'vitest';
import { MAX_HOLDOUT_SHARE, hashTextExtended, holdoutDraw, isHeldOut } from '../../domain/campaign/holdout';
import { CampaignDefinitionSchema } from '../../domain/campaign/campaign';
import { testCampaign } from '../support/campaigns';

describe('the holdout draw', () => {
  it("is Postgres's hashtextextended(text, 0), bit for bit (values read off Postgres 15)", () => {
    const pg: [string, bigint][] = [
      ['', -6939563903564495251n], ['a', 3591986179850072241n], ['x', -474845166489675639n], ['c1:5', 7490599792315176156n],
      ['campaign-abc:123456', -9096589943993155650n], ['hello world, twelve+', -7693228551977492401n], ['日本', 7883373450178899670n],
    ];
    for (const [text, value] of pg) expect(BigInt.asIntN(64, hashTextExtended(text)), text).toBe(value);
    expect(holdoutDraw('c1', 5)).toBe(0.8121324568047582); // SELECT holdout_draw('c1', 5)
  });

  it('is stable, in [0, 1), and another for another campaign', () => {
    for (let id = 1; id <= 1000; id++) {
      const d = holdoutDraw('spring-upsell', id);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(1);
      expect(holdoutDraw('spring-upsell', id)).toBe(d);
    }
    const a = Array.from({ length: 1000 }, (_, i) => isHeldOut('spring-upsell', i + 1, { share: 0.2 }));
    const b = Array.from({ length: 1000 }, (_, i) => isHeldOut('autumn-upsell', i + 1, { share: 0.2 }));
    const both = a.filter((x, i) => x && b[i]).length;
    expect(both).toBeGreaterThan(10); // independent draws: ~0.2 × 0.2 × 1000 = 40
    expect(both).toBeLessThan(80);
  });

  it.each([0.05, 0.1, 0.25, 0.5])('holds out a share of %d within tolerance (20,000 customers)', (share) => {
    const n = 20_000;
    let held = 0;
    for (let id = 1; id <= n; id++) if (isHeldOut('c-share-test', id, { share })) held++;
    // 4 standard deviations of a binomial: fails by chance about once in 16,000 runs of a different hash
    const sd = Math.sqrt(n * share * (1 - share));
    expect(Math.abs(held - n * share)).toBeLessThan(4 * sd);
  });

  it('holds nobody out without a holdout', () => {
    expect(isHeldOut('c', 1, undefined)).toBe(false);
  });
});

describe('holdout in the campaign definition', () => {
  const withShare = (share: unknown) => CampaignDefinitionSchema.safeParse({ ...testCampaign('c-h'), holdout: { share } });
  it(`takes a share over 0 and at most ${MAX_HOLDOUT_SHARE}`, () => {
    expect(withShare(0.1).success).toBe(true);
    expect(withShare(MAX_HOLDOUT_SHARE).success).toBe(true);
    for (const bad of [0, -0.1, 0.51, 1, '0.1']) {
      const r = withShare(bad);
      expect(r.success, String(bad)).toBe(false);
      expect(r.error!.issues[0]!.path).toEqual(['holdout', 'share']);
    }
    expect(CampaignDefinitionSchema.safeParse({ ...testCampaign('c-h'), holdout: { share: 0.1, other: 1 } }).success).toBe(false);
    expect(CampaignDefinitionSchema.parse(testCampaign('c-h')).holdout).toBeUndefined();
  });
});
