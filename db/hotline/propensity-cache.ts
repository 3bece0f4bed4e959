import { countsKey, type Counts } from '../../domain/hotline/propensity';
import type { Queryable } from '../queryable';

/** Every offer's counts in every segment, keyed by domain/hotline/propensity.ts countsKey, and their version. */
export interface PropensityCounts {
  version: bigint;
  counts: ReadonlyMap<string, Counts>;
}

/**
 * The propensity counts, one copy per process (a few rows per offer and segment), read again when
 * a recommendation's facts show a newer version than the copy's (migration 037: every write bumps
 * it). A recommendation thus decides on counts current to its own facts query, as when each read
 * its segment's counts, which cost more than the rest of its facts together (docs/benchmarks.md).
 */
export class PropensityCache {
  private current: PropensityCounts | undefined;
  private loading: Promise<PropensityCounts> | undefined;

  /** The counts of `version` or a later one. */
  async atLeast(q: Queryable, version: string): Promise<ReadonlyMap<string, Counts>> {
    const wanted = BigInt(version);
    // Twice at most: a read begun before the version was written is followed by one that sees it.
    for (let reads = 0; reads < 2 && (!this.current || this.current.version < wanted); reads++) {
      // Concurrent callers share one read; reads go one at a time, so the last is the newest.
      this.loading ??= readCounts(q).then((c) => (this.current = c)).finally(() => { this.loading = undefined; });
      await this.loading;
    }
    return this.current!.counts;
  }
}

async function readCounts(q: Queryable): Promise<PropensityCounts> {
  const { rows } = await q.query<{ version: string; offer_code: string | null; segment_key: string | null; presented: number | null; accepted: number | null }>(
    `SELECT v.version::text AS version, p.offer_code, p.segment_key, p.presented, p.accepted
       FROM hotline_propensity_version v LEFT JOIN hotline_propensity p ON true`);
  const counts = new Map<string, Counts>();
  for (const r of rows) if (r.offer_code !== null) counts.set(countsKey(r.offer_code, r.segment_key!), { presented: r.presented!, accepted: r.accepted! });
  return { version: BigInt(rows[0]!.version), counts };
}
