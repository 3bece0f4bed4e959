import type DataLoader from 'dataloader';
import type { Db } from '../../infra/db';
import { batcher } from '../../infra/batching';
import { readFacts, storeRecommendations, type FactsRow, type NewRecommendation, type RecommendQuery } from './recommend-sql';

/**
 * The recommendations' two statements, each shared by the requests that ask at once
 * (infra/batching.ts): one query reads the facts of many interactions, one statement (one commit)
 * stores many interactions' sets. At a busy hotline's load this halves what a recommendation costs
 * (docs/benchmarks.md); a lone request goes at once, as it did.
 */
export interface RecommendBatches {
  /** The interaction's facts; undefined when there is no such interaction. */
  facts(query: RecommendQuery, interactionId: number, refusalQuietDays: number): Promise<FactsRow | undefined>;
  /** Stores the set: its ids by rank, or undefined when another request stored the interaction's first. */
  store(interactionId: number, recs: readonly NewRecommendation[]): Promise<Map<number, number> | undefined>;
}

/**
 * One batch in flight per statement: what is asked meanwhile makes the next batch. (Two or three
 * measured no better on 2 cores: smaller batches cost Postgres more per request.)
 */
const MAX_IN_FLIGHT = 1;
const MAX_BATCH = 64;

/**
 * A data error (SQLSTATE class 22) or a broken constraint (23) may be one interaction's: its batch is
 * run again one by one. Anything else (a timeout, a lost connection) is the database's, and running
 * the batch again one by one would only add to its load.
 */
const keysFault = (err: unknown): boolean => /^2[23]/.test(String((err as { code?: unknown }).code ?? ''));

export function recommendBatches(db: Db): RecommendBatches {
  /** One loader per catalogue query and quiet days (they change together, rarely): the latest only. */
  let factsLoader: { key: string; loader: DataLoader<number, FactsRow | undefined> } | undefined;
  const storeLoader = batcher<{ interactionId: number; recs: readonly NewRecommendation[] }, Map<number, number> | undefined>(async (sets) => {
    // Two requests for one interaction in one batch (a double click): the first one's set goes, the
    // other is answered as by another request that stored first.
    const first = new Map(sets.map((s) => [s.interactionId, s] as const).reverse());
    const stored = await storeRecommendations(db, [...first.values()]);
    return sets.map((s) => (first.get(s.interactionId) === s ? stored.get(s.interactionId) : undefined));
  }, { maxInFlight: MAX_IN_FLIGHT, maxBatchSize: MAX_BATCH, oneByOne: keysFault });

  return {
    facts(query, interactionId, refusalQuietDays) {
      const key = `${query.name}/${refusalQuietDays}`;
      if (factsLoader?.key !== key) {
        const loader = batcher<number, FactsRow | undefined>(async (ids) => {
          const facts = await readFacts(db, query, ids, refusalQuietDays);
          return ids.map((id) => facts.get(id));
        }, { maxInFlight: MAX_IN_FLIGHT, maxBatchSize: MAX_BATCH, oneByOne: keysFault });
        factsLoader = { key, loader };
      }
      return factsLoader.loader.load(interactionId);
    },
    store: (interactionId, recs) => storeLoader.load({ interactionId, recs }),
  };
}
