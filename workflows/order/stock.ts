import { condition, patched } from '@temporalio/workflow';
import type { Offer } from '../../domain/campaign/campaign';
import { WAITING } from '../../domain/order/waiting';
import { stock } from './activities';
import { REVIEW_FIXES_PATCH } from './messages';
import type { OrderRun } from './run';

/** While out of stock, how often the order looks again without being told that stock arrived. */
const STOCK_RECHECK_MS = 10 * 60_000;
const STOCK_RECHECK_MAX_MS = 6 * 3_600_000;

/**
 * Reserves what the order ships; out of stock, the order is held until stock arrives (the
 * API's goods receipt signals it; it also looks again every few minutes) or a scheduler decides.
 * False: cancelled while waiting.
 */
export async function reserveStock(o: OrderRun, items: Offer['ships']): Promise<boolean> {
  const { orderId, state } = o;
  let recheckMs = STOCK_RECHECK_MS;
  // Before the patch: cleared after looking (what came meanwhile was lost), re-checked every 10 minutes.
  const keepNews = patched(REVIEW_FIXES_PATCH);
  for (;;) {
    // Cleared before looking, so stock or a decision that comes meanwhile is not lost.
    if (keepNews) {
      state.stockArrived = false;
      state.schedulerRetry = undefined;
    }
    // A scheduler's retry with an address in another region: that region's warehouse is asked.
    const r = await stock.reserveStock({ orderId, items, ...(state.next.region ? { region: state.next.region } : {}) });
    state.stockChecks++;
    state.warehouse = r.warehouse;
    if (r.reserved) {
      if (state.status === 'held') {
        o.wait(WAITING.booking);
        await o.moveTo('inProgress', 'delivery', `stock reserved at ${r.warehouse}`);
      }
      return true;
    }
    const short = r.short.map((i) => `${i.sku} (${i.onHand} of ${i.wanted})`).join(', ');
    const waitingFor = `stock at ${r.warehouse}: ${short}; or a scheduler's decision`;
    if (state.status !== 'held') {
      o.wait(waitingFor);
      state.holdReason = 'out-of-stock';
      await o.moveTo('held', 'delivery', `out of stock at ${r.warehouse}: ${short}; held until stock arrives`);
    } else if (waitingFor !== state.waitingFor) {
      // Looked again and still short, of other quantities or at another warehouse: a new wait.
      // Short of the same, it waits for the same thing as before, since when it began.
      await o.waitRecorded(waitingFor, `stock looked at again at ${r.warehouse}: still short of ${short}`);
    }
    if (!keepNews) {
      state.stockArrived = false;
      state.schedulerRetry = undefined;
    }
    // Told when goods arrive; looks by itself too, less often the longer it waits (up to 6 hours).
    await condition(() => state.stockArrived || state.schedulerRetry !== undefined || state.cancelRequest !== undefined, recheckMs);
    if (keepNews) recheckMs = Math.min(recheckMs * 2, STOCK_RECHECK_MAX_MS);
    if (state.cancelRequest) return false;
    if (state.schedulerRetry) {
      [state.next, state.schedulerRetry] = [state.schedulerRetry, undefined];
      state.schedulerAsked = true;
    }
  }
}
