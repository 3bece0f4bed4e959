import { createHash } from 'node:crypto';

// Every simulated outcome is a pure function of (seed, id, ...) rather than of
// Math.random(), so a run replays identically whatever the timing, the
// concurrency or the order in which requests arrive.

type Key = string | number;

/** A number in [0, 1) derived from sha256(seed, ...keys). */
export function unit(seed: Key, ...keys: Key[]): number {
  // The NUL separator keeps ('ab','c') and ('a','bc') apart.
  const digest = createHash('sha256')
    .update([seed, ...keys].map(String).join('\u0000'))
    .digest();
  // 48 bits is the most readUIntBE takes and is plenty for a double.
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

/**
 * Choose a key of `weights` with probability proportional to its weight.
 * Weights need not sum to 1; zero-weight keys are never chosen.
 */
export function pick<T extends string>(weights: Record<T, number>, u: number): T {
  const entries = (Object.entries(weights) as [T, number][]).filter(([, w]) => w > 0);
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  if (entries.length === 0 || !(total > 0)) {
    throw new Error('pick: at least one weight must be positive');
  }
  let threshold = u * total;
  for (const [key, weight] of entries) {
    if (threshold < weight) return key;
    threshold -= weight;
  }
  // Floating-point leftovers when u is very close to 1.
  return entries[entries.length - 1]![0];
}

/** An integer in [min, max] (both inclusive) from u in [0, 1). */
export function between(min: number, max: number, u: number): number {
  return min + Math.floor(u * (max - min + 1));
}
