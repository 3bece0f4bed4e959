import { Readable } from 'node:stream';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Db } from '../../infra/db';
import { BillingFileRefused, BillingMonthClosed, importBilling } from '../../db/sales-points/billing-import';
import { MonthSchema, type Month } from '../../domain/sales-points/month';

/** How often the import heartbeats, whatever it is waiting for (bytes, COPY, the checks). */
const HEARTBEAT_MS = 5_000;

function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined; // called outside an activity (a script, a bench)
  }
}

/**
 * Billing's list of a month, fetched from the BSS's export (sim/README.md, "Export") and streamed
 * into the import as it arrives: millions of rows never sit in memory. Idempotent: a retry that
 * fetches the same bytes reuses the month's latest import. A refused file is final (the BSS would
 * send the same file again); the BSS down, slow or cut off mid-file is retried by policy.
 */
export function createBillingActivities(deps: { db: Db; bssUrl: string; timeoutMs?: number }) {
  const timeoutMs = deps.timeoutMs ?? 30_000;
  return {
    async importBillingFromBss(month: Month): Promise<{ importId: number; rows: number; reused: boolean }> {
      if (!MonthSchema.safeParse(month).success) throw ApplicationFailure.nonRetryable(`not a month YYYY-MM: ${String(month)}`, 'BadMonth');
      const ctx = activityContext();
      const abort = new AbortController();
      let bytes = 0;
      const beat = ctx && setInterval(() => ctx.heartbeat({ bytes }), HEARTBEAT_MS);
      // No answer, or no bytes, for timeoutMs: the transfer is stuck; the retry fetches it again.
      let idle = setTimeout(() => abort.abort(new Error(`the BSS sent nothing for ${timeoutMs} ms`)), timeoutMs);
      const stillAlive = () => {
        clearTimeout(idle);
        idle = setTimeout(() => abort.abort(new Error(`the BSS sent nothing for ${timeoutMs} ms`)), timeoutMs);
      };
      const signal = ctx ? AbortSignal.any([abort.signal, ctx.cancellationSignal]) : abort.signal;
      try {
        const res = await fetch(`${deps.bssUrl}/exports/active-subscriptions?month=${month}`, { signal });
        if (res.status !== 200 || !res.body) {
          const text = (await res.text().catch(() => '')).slice(0, 300);
          const what = `the BSS answered ${res.status} to the export of ${month}: ${text}`;
          if (res.status >= 500 || res.status === 429) throw new Error(what);
          throw ApplicationFailure.nonRetryable(what, 'BssExportRefused');
        }
        const web = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
        // The body fails as soon as the transfer is aborted (the activity cancelled, say at a worker's
        // shutdown while the import waits for a lock, or left for a refusal), read or not: unread, its
        // 'error' event would be the process's uncaught exception. Whoever reads it gets the error
        // from the iterator all the same.
        web.on('error', () => undefined);
        async function* counted(): AsyncGenerator<Buffer> {
          for await (const chunk of web) {
            bytes += (chunk as Buffer).length;
            stillAlive();
            yield chunk as Buffer;
          }
          clearTimeout(idle); // all there: what follows is the database's
        }
        const body = Readable.from(counted(), { objectMode: false });
        const imported = await importBilling(deps.db, body, {
          month, source: 'bss-export', fileName: `active-subscriptions-${month}.csv`, by: 'bss-export',
        });
        return { importId: imported.importId, rows: imported.rows, reused: imported.reused };
      } catch (err) {
        if (err instanceof BillingFileRefused) {
          // Line numbers and reasons only: the lines' text (phone numbers) stays out of the history.
          throw ApplicationFailure.nonRetryable(err.message, 'BillingFileRefused', { errors: err.errors });
        }
        if (err instanceof BillingMonthClosed) throw ApplicationFailure.nonRetryable(err.message, 'MonthClosed');
        throw err;
      } finally {
        clearTimeout(idle);
        if (beat) clearInterval(beat);
        abort.abort(); // a body left unread (a refusal at line 1) is not downloaded further
      }
    },
  };
}
