/** What an order wants of one item, and what the warehouse has free of it. */
export interface ItemShortage {
  sku: string;
  wanted: number;
  onHand: number;
}

/** The items of an order this warehouse has too few of now: one of them holds the whole order. */
export function shortItems(items: readonly { sku: string; qty: number }[], onHand: ReadonlyMap<string, number>): ItemShortage[] {
  return items.filter((i) => (onHand.get(i.sku) ?? 0) < i.qty)
    .map((i) => ({ sku: i.sku, wanted: i.qty, onHand: onHand.get(i.sku) ?? 0 }));
}

/** What is still missing to serve every order held for an item; free stock beyond that is no negative shortage. */
export const missingStock = (wanted: number, onHand: number): number => Math.max(wanted - onHand, 0);
