import type { DirectoryEntry } from './contract';

// The customer directory the dialer identifies callers by (呼入号码识别): number → customer id, as
// the API gave it. Personal data, held in memory only: never logged, never in GET /config; forgotten
// with DELETE /inbound/directory (an erased customer's number goes when the API gives the list anew).

/** The number as the directory keys it: digits only, a leading + ignored. */
const keyOf = (msisdn: string) => msisdn.replace(/^\+/, '');

export class Directory {
  private readonly byNumber = new Map<string, number>();

  /** Adds entries; a number given again now belongs to the customer given last. */
  add(entries: readonly DirectoryEntry[]): void {
    for (const { customerId, msisdn } of entries) this.byNumber.set(keyOf(msisdn), customerId);
  }

  /** The customer calling from this number, if the directory knows it. */
  identify(ani: string): number | undefined {
    return this.byNumber.get(keyOf(ani));
  }

  numbers(): string[] {
    return [...this.byNumber.keys()];
  }

  get size(): number {
    return this.byNumber.size;
  }

  clear(): number {
    const removed = this.byNumber.size;
    this.byNumber.clear();
    return removed;
  }
}
