/**
 * A campaign's control group: a share of its list held out at the list pull, never called, so its
 * evaluation (GET /reports/evaluation) can tell what the calls changed from what would have
 * happened anyway.
 *
 * Who is held out is decided by a stable hash of the campaign id and the customer id, mapped to
 * [0, 1): the customer is held out when the draw falls under the share. Stable, so a retried or
 * resumed pull splits exactly as the first attempt did; independent of everything else about the
 * customer (segment, spend, order in the list), so the two groups differ only by chance; and a
 * different draw per campaign, so the same customers are not always the ones left alone.
 *
 * The SQL decides: `holdout_draw(campaign_id, customer_id)` (db/migrations/019_holdout.sql) is
 * `hashtextextended(campaign_id || ':' || customer_id, 0)`, its sign bit dropped and its top 53
 * bits divided by 2^53 (exact in a double, and never 1). `holdoutDraw` below computes the same
 * number in TypeScript (Postgres's hash_bytes_extended, Bob Jenkins' lookup3, over the UTF-8 bytes
 * of the text, little-endian as on every server we run), for unit tests and for anyone who wants
 * to know a customer's group without a database; test/integration/holdout-pull.test.ts holds the
 * two equal.
 */

/** The most of a list a campaign may hold out: past half, the campaign mostly measures itself doing nothing. */
export const MAX_HOLDOUT_SHARE = 0.5;

export interface Holdout {
  /** The share of the listed leads held out, 0 < share <= 0.5. */
  share: number;
}

const rot = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;

type State = [number, number, number];

/** lookup3's mix() on three 32-bit words (every step modulo 2^32, as the C code's uint32). */
function mix([a, b, c]: State): State {
  a = (a - c) >>> 0; a = (a ^ rot(c, 4)) >>> 0; c = (c + b) >>> 0;
  b = (b - a) >>> 0; b = (b ^ rot(a, 6)) >>> 0; a = (a + c) >>> 0;
  c = (c - b) >>> 0; c = (c ^ rot(b, 8)) >>> 0; b = (b + a) >>> 0;
  a = (a - c) >>> 0; a = (a ^ rot(c, 16)) >>> 0; c = (c + b) >>> 0;
  b = (b - a) >>> 0; b = (b ^ rot(a, 19)) >>> 0; a = (a + c) >>> 0;
  c = (c - b) >>> 0; c = (c ^ rot(b, 4)) >>> 0; b = (b + a) >>> 0;
  return [a, b, c];
}

/** lookup3's final() on three 32-bit words. */
function final([a, b, c]: State): State {
  c = (c ^ b) >>> 0; c = (c - rot(b, 14)) >>> 0;
  a = (a ^ c) >>> 0; a = (a - rot(c, 11)) >>> 0;
  b = (b ^ a) >>> 0; b = (b - rot(a, 25)) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rot(b, 16)) >>> 0;
  a = (a ^ c) >>> 0; a = (a - rot(c, 4)) >>> 0;
  b = (b ^ a) >>> 0; b = (b - rot(a, 14)) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rot(b, 24)) >>> 0;
  return [a, b, c];
}

/** `n` bytes of `k` from `i` as a little-endian word. */
const word = (k: Uint8Array, i: number, n: number) => {
  let w = 0;
  for (let j = n - 1; j >= 0; j--) w = (w * 256 + k[i + j]!) >>> 0;
  return w;
};

/** Postgres's hashtextextended(text, 0) of a text, as the unsigned 64-bit number it is bit for bit. */
export function hashTextExtended(text: string): bigint {
  const k = new TextEncoder().encode(text);
  const init = (0x9e3779b9 + k.length + 3923095) >>> 0;
  let s: State = [init, init, init];
  let i = 0;
  let len = k.length;
  for (; len >= 12; len -= 12, i += 12) {
    s = mix([(s[0] + word(k, i, 4)) >>> 0, (s[1] + word(k, i + 4, 4)) >>> 0, (s[2] + word(k, i + 8, 4)) >>> 0]);
  }
  // The last 11 bytes; the lowest byte of c is left for the length, so c takes bytes 8..10 from its second byte on.
  const [a, b, c] = s;
  const [, h1, h2] = final([
    (a + (len > 0 ? word(k, i, Math.min(len, 4)) : 0)) >>> 0,
    (b + (len > 4 ? word(k, i + 4, Math.min(len - 4, 4)) : 0)) >>> 0,
    (c + (len > 8 ? word(k, i + 8, len - 8) * 256 : 0)) >>> 0,
  ]);
  return (BigInt(h1) << 32n) | BigInt(h2);
}

/** The customer's draw for the campaign, in [0, 1): the number `holdout_draw` gives in SQL. */
export function holdoutDraw(campaignId: string, customerId: number | bigint): number {
  const h = hashTextExtended(`${campaignId}:${customerId}`) & 0x7fff_ffff_ffff_ffffn;
  return Number(h >> 10n) / 2 ** 53;
}

/** Whether the campaign holds the customer out (no holdout: nobody). */
export function isHeldOut(campaignId: string, customerId: number | bigint, holdout: Holdout | undefined): boolean {
  return holdout !== undefined && holdoutDraw(campaignId, customerId) < holdout.share;
}
