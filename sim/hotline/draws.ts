import type { Duration } from './contract';

// Durations and arrival gaps drawn from uniforms in [0, 1) that sim/rand.ts's unit() derives from
// (seed, call id, …): pure, so the same seed and ids give the same call whatever the timing.

/** Seconds, to the millisecond. `u(n)` is the n-th uniform of this draw (lognormal takes two). */
export function drawSec(d: Duration, u: (n: number) => number): number {
  return toMs(draw(d, u)) / 1000;
}

function draw(d: Duration, u: (n: number) => number): number {
  switch (d.kind) {
    case 'fixed':
      return d.sec;
    case 'uniform':
      return d.minSec + u(0) * (d.maxSec - d.minSec);
    case 'exponential':
      return -d.meanSec * Math.log(1 - u(0));
    case 'lognormal': {
      // The normal's parameters that give this mean and standard deviation; Box-Muller for the normal.
      const sigma2 = Math.log(1 + (d.sdSec / d.meanSec) ** 2);
      const mu = Math.log(d.meanSec) - sigma2 / 2;
      const normal = Math.sqrt(-2 * Math.log(1 - u(0))) * Math.cos(2 * Math.PI * u(1));
      return Math.exp(mu + Math.sqrt(sigma2) * normal);
    }
  }
}

/** Whole milliseconds, capped at a day: a draw from a long tail must not park a call for a week. */
function toMs(sec: number): number {
  return Math.min(86_400_000, Math.max(0, Math.round(sec * 1000)));
}

/** The gap before the next arrival of a Poisson process of `ratePerMinute`, in whole milliseconds. */
export function arrivalGapMs(ratePerMinute: number, u: number): number {
  return Math.max(1, Math.round((-Math.log(1 - u) / ratePerMinute) * 60_000));
}
