import type { Db } from '../../infra/db';
import { monthStart, type Month } from '../../domain/sales-points/month';

// STAND-IN (helper D): replaced at merge by the billing import's activities (the BSS export, COPY).

export function createBillingActivities(deps: { db: Db; bssUrl: string; timeoutMs?: number }) {
  return {
    /** Imports the month's list from the BSS export: here only a billing_imports row, no lines. */
    async importBillingFromBss(month: Month): Promise<{ importId: number; rows: number; reused: boolean }> {
      const { rows } = await deps.db.query<{ id: string }>(
        `INSERT INTO billing_imports (month, source, file_name, sha256, encoding, rows, imported_by)
         VALUES ($1::date, 'bss-export', 'stand-in.csv', 'stand-in', 'utf-8', 0, 'bss') RETURNING id`, [monthStart(month)]);
      return { importId: Number(rows[0]!.id), rows: 0, reused: false };
    },
  };
}
