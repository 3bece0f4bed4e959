import { describe, expect, it } from 'vitest';
import { missingStock, shortItems } from '../../domain/logistics/stock';
import { roundToFen, settleCourierDay } from '../../domain/logistics/settlement';

describe('stock: what orders wait for', () => {
  it('an item is short when the warehouse has less free than the order wants, an unknown item counts as none', () => {
    const onHand = new Map([['sim', 5], ['router', 1]]);
    expect(shortItems([{ sku: 'sim', qty: 5 }, { sku: 'router', qty: 2 }, { sku: 'phone', qty: 1 }], onHand)).toEqual([
      { sku: 'router', wanted: 2, onHand: 1 },
      { sku: 'phone', wanted: 1, onHand: 0 },
    ]);
    expect(shortItems([{ sku: 'sim', qty: 5 }], onHand)).toEqual([]);
  });

  it('what is missing for a backorder is never negative', () => {
    expect(missingStock(7, 3)).toBe(4);
    expect(missingStock(3, 3)).toBe(0);
    expect(missingStock(2, 10)).toBe(0);
  });
});

describe("settlement: a courier's day", () => {
  it('sums collections and refunds, splits collections by method, and nets them', () => {
    expect(settleCourierDay([
      { kind: 'collection', method: 'cash', count: 3, amount: 300 },
      { kind: 'collection', method: 'card', count: 2, amount: 150.5 },
      { kind: 'refund', method: 'cash', count: 1, amount: 100 },
    ])).toEqual({
      collected: { count: 5, amount: 450.5 },
      refunded: { count: 1, amount: 100 },
      byMethod: { cash: { count: 3, amount: 300 }, card: { count: 2, amount: 150.5 } },
      net: 350.5,
    });
  });

  it('a day without payments settles at zero', () => {
    expect(settleCourierDay([])).toEqual({ collected: { count: 0, amount: 0 }, refunded: { count: 0, amount: 0 }, byMethod: {}, net: 0 });
  });

  it('rounds sums to the fen, so float dust never shows', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(roundToFen(0.1 + 0.2)).toBe(0.3);
    const day = settleCourierDay([
      { kind: 'collection', method: 'cash', count: 1, amount: 0.1 },
      { kind: 'collection', method: 'card', count: 1, amount: 0.2 },
      { kind: 'refund', method: 'card', count: 1, amount: 0.3 },
    ]);
    expect(day.collected.amount).toBe(0.3);
    expect(day.net).toBe(0);
  });
});
