/**
 * The statistics a campaign's evaluation rests on (domain/reports/evaluation.ts), as plain
 * functions: a proportion's Wilson score interval, the difference of two proportions by Newcombe's
 * hybrid score method (his method 10, built from the two Wilson intervals), and the difference of
 * two means by Welch's t interval (unequal variances, Welch–Satterthwaite degrees of freedom).
 * References: R. G. Newcombe, Statistics in Medicine 17 (1998) 857–872 and 873–890; B. L. Welch,
 * Biometrika 34 (1947). test/unit/evaluation.test.ts checks them against published values.
 */

/** The normal quantile of 0.975: a two-sided 95% interval is the estimate ± Z95 standard errors. */
export const Z95 = 1.959963984540054;

export interface Interval {
  lower: number;
  upper: number;
}

/** Wilson's score interval for `events` out of `n` (n > 0), at the normal quantile z. */
export function wilson(events: number, n: number, z = Z95): Interval {
  if (!(n > 0) || events < 0 || events > n) throw new RangeError(`wilson: ${events} events of ${n}`);
  const p = events / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // At 0 or n events the interval ends exactly at 0 or 1 (rounding must not leave it a hair inside).
  return { lower: events === 0 ? 0 : Math.max(0, centre - half), upper: events === n ? 1 : Math.min(1, centre + half) };
}

export interface Difference extends Interval {
  /** The estimate: the first group's rate (or mean) minus the second's. */
  difference: number;
}

/** p1 − p2 with Newcombe's hybrid score interval (method 10), for e1/n1 and e2/n2 (n1, n2 > 0). */
export function newcombe(e1: number, n1: number, e2: number, n2: number, z = Z95): Difference {
  const p1 = e1 / n1;
  const p2 = e2 / n2;
  const w1 = wilson(e1, n1, z);
  const w2 = wilson(e2, n2, z);
  const d = p1 - p2;
  return {
    difference: d,
    lower: d - Math.sqrt((p1 - w1.lower) ** 2 + (w2.upper - p2) ** 2),
    upper: d + Math.sqrt((w1.upper - p1) ** 2 + (p2 - w2.lower) ** 2),
  };
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms: about 15 significant digits). */
function logGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const y = x - 1;
  let a = c[0]!;
  const t = y + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (y + i);
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(a);
}

/** The continued fraction of the regularized incomplete beta function (modified Lentz). */
function betaFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  d = 1 / (Math.abs(d) < tiny ? tiny : d);
  let h = d;
  for (let m = 1; m <= 300; m++) {
    for (const num of [(m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m)), (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1))]) {
      d = 1 + num * d;
      d = 1 / (Math.abs(d) < tiny ? tiny : d);
      c = 1 + num / c;
      if (Math.abs(c) < tiny) c = tiny;
      h *= d * c;
    }
    if (Math.abs(d * c - 1) < 1e-15) break;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaFraction(x, a, b)) / a : 1 - (front * betaFraction(1 - x, b, a)) / b;
}

/** P(T <= t) for Student's t with df degrees of freedom (df > 0, not necessarily whole). */
export function studentCdf(t: number, df: number): number {
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The t such that P(T <= t) = p, for 0.5 <= p < 1 (bisection on the CDF: 1e-12 close). */
export function studentQuantile(p: number, df: number): number {
  if (!(p >= 0.5 && p < 1) || !(df > 0) || !Number.isFinite(df)) throw new RangeError(`studentQuantile: p ${p}, df ${df}`);
  let lo = 0;
  let hi = 1;
  while (studentCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2;
    if (studentCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** A sample summed up: its size, mean and (unbiased, n − 1) variance. */
export interface Sample {
  n: number;
  mean: number;
  variance: number;
}

/**
 * mean1 − mean2 with Welch's 95% interval (each sample at least 2). Both variances 0 (every value
 * alike in each group) leave no spread to judge by: the interval is the difference itself.
 */
export function welch(a: Sample, b: Sample): Difference & { df: number } {
  if (a.n < 2 || b.n < 2) throw new RangeError(`welch: samples of ${a.n} and ${b.n}, at least 2 each`);
  const va = a.variance / a.n;
  const vb = b.variance / b.n;
  const difference = a.mean - b.mean;
  const se = Math.sqrt(va + vb);
  if (se === 0) return { difference, lower: difference, upper: difference, df: a.n + b.n - 2 };
  const df = (va + vb) ** 2 / (va ** 2 / (a.n - 1) + vb ** 2 / (b.n - 1));
  const half = studentQuantile(0.975, df) * se;
  return { difference, lower: difference - half, upper: difference + half, df };
}
