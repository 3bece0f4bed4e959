/**
 * Outages of the systems a campaign depends on, as the campaign sees them: which system stopped
 * answering, since when, how often it was tried again, and what it last said. Plain data and
 * rules (no Temporal): the workflow keeps one `Outages` in its state and carries it across runs.
 */

/** The outside systems whose outage a campaign rides out. */
export type OutsideSystem = 'dialer' | 'database';

export interface Outage {
  system: OutsideSystem;
  /** When the first failed try ended (ISO). */
  since: string;
  /** Tries that failed since then. */
  retries: number;
  lastError: string;
}

const NAMES: Record<OutsideSystem, string> = { dialer: 'Dialer', database: 'Postgres' };
/** What stops while each system is down, in an operator's words. */
const EFFECT: Record<OutsideSystem, string> = {
  dialer: 'no new calls are placed; the calls waiting to be placed are tried again',
  database: 'the campaign waits; no call is claimed or settled',
};

/** The wait before the next try: 5 s, doubling, at most 5 minutes. */
export function outageBackoffMs(retries: number): number {
  return Math.min(5_000 * 2 ** Math.max(retries - 1, 0), 300_000);
}

export class Outages {
  private readonly list: Outage[];

  constructor(carried: readonly Outage[] = []) {
    this.list = carried.map((o) => ({ ...o }));
  }

  /** A copy, for the progress query and the state carried to the next run. */
  get all(): Outage[] {
    return this.list.map((o) => ({ ...o }));
  }

  isDown(system: OutsideSystem): boolean {
    return this.list.some((o) => o.system === system);
  }

  /** A try failed: the outage starts now, or goes on with one retry more. Returns it. */
  failed(system: OutsideSystem, error: string, now: number): Outage {
    let outage = this.list.find((o) => o.system === system);
    if (!outage) {
      outage = { system, since: new Date(now).toISOString(), retries: 0, lastError: '' };
      this.list.push(outage);
    }
    outage.retries++;
    outage.lastError = error.slice(0, 300);
    return outage;
  }

  /** The system answered: its outage is over. True when there was one. */
  answered(system: OutsideSystem): boolean {
    const i = this.list.findIndex((o) => o.system === system);
    if (i < 0) return false;
    this.list.splice(i, 1);
    return true;
  }

  /** Markdown lines for the workflow's current details, one per outage ('' when none). */
  describe(): string {
    return this.list
      .map((o) => `**${NAMES[o.system]} unreachable since ${o.since.slice(11, 16)} UTC, ${o.retries} ${o.retries === 1 ? 'retry' : 'retries'}**: ` +
        `${EFFECT[o.system]}. Last error: ${o.lastError}`)
      .join('\n\n');
  }
}
