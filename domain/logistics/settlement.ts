/** Payments of one courier and day, summed per kind and method (one entry per pair). */
export interface PaymentTotal {
  /** 'collection' (money taken at the door) or 'refund'. */
  kind: string;
  method: string;
  count: number;
  amount: number;
}

export interface Money {
  count: number;
  amount: number;
}

export interface CourierDaySettlement {
  collected: Money;
  refunded: Money;
  /** Collections only: how the money came in (cash, card, ...). */
  byMethod: Record<string, Money>;
  /** Collected minus refunded: what the courier owes for the day. */
  net: number;
}

/** Money is in yuan with two decimals: a sum of floats is rounded back to the fen at each step. */
export const roundToFen = (n: number): number => Math.round(n * 100) / 100;

/** A courier's settlement for one day from the day's payment totals. */
export function settleCourierDay(totals: readonly PaymentTotal[]): CourierDaySettlement {
  const total = (kind: string): Money => totals.filter((t) => t.kind === kind)
    .reduce((sum, t) => ({ count: sum.count + t.count, amount: roundToFen(sum.amount + t.amount) }), { count: 0, amount: 0 });
  const collected = total('collection');
  const refunded = total('refund');
  const byMethod: Record<string, Money> = {};
  for (const t of totals.filter((x) => x.kind === 'collection')) byMethod[t.method] = { count: t.count, amount: t.amount };
  return { collected, refunded, byMethod, net: roundToFen(collected.amount - refunded.amount) };
}
