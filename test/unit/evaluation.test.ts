import { describe, expect, it } from 'vitest';
import { MIN_EVENTS, MIN_GROUP, evaluate, newcombe, shareMeasure, spendMeasure, studentQuantile, welch, wilson, type GroupFigures } from '../../domain/reports/evaluation';

// Known values: Wilson's and Newcombe's intervals as Newcombe (1998) tabulates them (his examples
// for a single proportion, and for a difference his method 10), Student's t quantiles from any table.

const close = (x: number, digits = 4) => Number(x.toFixed(digits));
const ci = (i: { lower: number; upper: number }, digits = 4) => [close(i.lower, digits), close(i.upper, digits)];

describe('Wilson score interval', () => {
  it.each([
    [81, 263, [0.2553, 0.3662]],
    [15, 148, [0.0624, 0.1605]],
    [0, 20, [0, 0.1611]],
    [1, 29, [0.0061, 0.1718]],
  ])('%i of %i', (e, n, expected) => {
    expect(ci(wilson(e, n))).toEqual(expected);
  });

  it('ends at 0 and 1 exactly, and refuses nonsense', () => {
    expect(wilson(0, 5).lower).toBe(0);
    expect(wilson(5, 5).upper).toBe(1);
    expect(() => wilson(1, 0)).toThrow(RangeError);
    expect(() => wilson(6, 5)).toThrow(RangeError);
  });
});

describe("Newcombe's hybrid score interval for a difference of proportions", () => {
  it.each([
    [56, 70, 48, 80, [0.0524, 0.3339]],
    [9, 10, 3, 10, [0.1705, 0.809]],
    [6, 7, 2, 7, [0.0582, 0.8062]],
    [5, 56, 0, 29, [-0.0381, 0.1926]],
    [0, 10, 0, 20, [-0.1611, 0.2775]],
    [0, 10, 0, 10, [-0.2775, 0.2775]],
    [10, 10, 0, 20, [0.6791, 1]],
    [10, 10, 0, 10, [0.6075, 1]],
  ])('%i/%i − %i/%i', (e1, n1, e2, n2, expected) => {
    const d = newcombe(e1, n1, e2, n2);
    expect(d.difference).toBeCloseTo(e1 / n1 - e2 / n2, 12);
    expect(ci(d)).toEqual(expected);
  });
});

describe("Student's t and Welch's interval", () => {
  it.each([
    [1, 12.7062], [2, 4.3027], [5, 2.5706], [10, 2.2281], [30, 2.0423], [100, 1.984], [1e6, 1.96],
  ])('t(0.975, %d) = %d', (df, t) => {
    expect(close(studentQuantile(0.975, df))).toBe(t);
  });

  it('takes the Welch–Satterthwaite degrees of freedom', () => {
    // se = sqrt(4/10 + 9/15) = 1; df = 1 / (0.4²/9 + 0.6²/14) = 22.9927; t(0.975, 22.99) = 2.0687
    const d = welch({ n: 10, mean: 20, variance: 4 }, { n: 15, mean: 18, variance: 9 });
    expect(close(d.df)).toBe(22.9927);
    expect(d.difference).toBe(2);
    expect(ci(d)).toEqual([-0.0687, 4.0687]);
  });

  it('gives the difference itself when neither sample varies, and refuses samples under 2', () => {
    expect(welch({ n: 40, mean: 0, variance: 0 }, { n: 40, mean: 0, variance: 0 })).toMatchObject({ difference: 0, lower: 0, upper: 0 });
    expect(() => welch({ n: 1, mean: 0, variance: 0 }, { n: 5, mean: 0, variance: 1 })).toThrow(RangeError);
  });
});

describe('verdicts', () => {
  it('raised, with the uplift in points and its interval', () => {
    const m = shareMeasure('ordered', { n: 900, events: 90 }, { n: 100, events: 2 });
    expect(m.verdict).toBe('raised');
    expect(m.uplift).toBeCloseTo(0.08, 12);
    expect(m.ci!.lower).toBeGreaterThan(0);
    expect(m.says).toMatch(/^the campaign raised the share of customers who ordered the offer by 8\.0 points \(95% CI \+\d\.\d points to \+\d+\.\d points\)$/);
  });

  it('lowered', () => {
    const m = shareMeasure('churned', { n: 500, events: 10 }, { n: 500, events: 40 });
    expect(m.verdict).toBe('lowered');
    expect(m.says).toMatch(/^the campaign lowered the share of customers who left the network by 6\.0 points/);
  });

  it('no detectable difference when the interval spans 0', () => {
    const m = shareMeasure('ordered', { n: 200, events: 20 }, { n: 200, events: 18 });
    expect(m.verdict).toBe('no-difference');
    expect(m.ci!.lower).toBeLessThan(0);
    expect(m.ci!.upper).toBeGreaterThan(0);
    expect(m.says).toMatch(/^no detectable difference in .*: \+1\.0 points \(95% CI −\d\.\d points to \+\d\.\d points, which spans 0\)$/);
  });

  it(`too small to tell: a group under ${MIN_GROUP}, or under ${MIN_EVENTS} events or non-events`, () => {
    const small = shareMeasure('ordered', { n: 300, events: 150 }, { n: MIN_GROUP - 1, events: 0 });
    expect(small.verdict).toBe('too-small');
    expect(small.says).toBe(`too small to tell: the held-out group has ${MIN_GROUP - 1} leads (at least ${MIN_GROUP} in each group needed)`);
    expect(small.uplift).not.toBeNull(); // still shown, for what it is worth
    const rare = shareMeasure('ordered', { n: 1000, events: 5 }, { n: 1000, events: 4 });
    expect(rare.verdict).toBe('too-small');
    expect(rare.says).toMatch(/9 events in both groups together/);
    const everyone = shareMeasure('ordered', { n: 100, events: 98 }, { n: 100, events: 100 });
    expect(everyone.verdict).toBe('too-small');
    const empty = shareMeasure('ordered', { n: 0, events: 0 }, { n: 0, events: 0 });
    expect(empty).toMatchObject({ verdict: 'too-small', uplift: null, ci: null, treated: { value: null } });
  });

  const group = (over: Partial<GroupFigures>): GroupFigures => ({
    leads: 0, ordered: 0, activated: 0, spendKnown: 0, spendMean: null, spendVariance: null, atRisk: 0, churned: 0, ...over,
  });

  it('spend change by Welch, in yuan', () => {
    const m = spendMeasure(group({ spendKnown: 400, spendMean: 5, spendVariance: 100 }), group({ spendKnown: 100, spendMean: 1, spendVariance: 100 }));
    expect(m.verdict).toBe('raised');
    expect(m.says).toMatch(/^the campaign raised the change of monthly spend by 4\.00 yuan \(95% CI \+1\.\d\d yuan to \+6\.\d\d yuan\)$/);
    expect(spendMeasure(group({ spendKnown: 20, spendMean: 5, spendVariance: 1 }), group({ spendKnown: 20, spendMean: 1, spendVariance: 1 })).verdict).toBe('too-small');
    expect(spendMeasure(group({ spendKnown: 1, spendMean: 5 }), group({})).ci).toBeNull();
  });

  it('evaluate gives every measure, churn over those in the network at the pull', () => {
    const measures = evaluate(
      group({ leads: 900, ordered: 90, activated: 80, spendKnown: 900, spendMean: 0, spendVariance: 0, atRisk: 700, churned: 7 }),
      group({ leads: 100, ordered: 2, activated: 1, spendKnown: 100, spendMean: 0, spendVariance: 0, atRisk: 80, churned: 1 }));
    expect(measures.map((m) => m.measure)).toEqual(['ordered', 'activated', 'spendChange', 'churned']);
    expect(measures[3]).toMatchObject({ treated: { n: 700, events: 7 }, heldOut: { n: 80, events: 1 }, verdict: 'too-small' });
    expect(measures[2]).toMatchObject({ verdict: 'no-difference', uplift: 0 });
  });
});
