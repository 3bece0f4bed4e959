import type { Queryable } from '../queryable';
import { monthStart, type Month } from '../../domain/sales-points/month';

// STAND-IN (helper D): replaced at merge by the billing import's own module.

export interface BillingImportRow {
  id: number;
  source: 'bss-export' | 'upload';
  rows: number;
  importedAt: string;
}

/** The month's latest billing import, whoever made it; undefined when there is none. */
export async function latestImport(q: Queryable, month: Month): Promise<BillingImportRow | undefined> {
  const { rows } = await q.query<{ id: string; source: 'bss-export' | 'upload'; rows: number; imported_at: Date }>(
    'SELECT id, source, rows, imported_at FROM billing_imports WHERE month = $1::date ORDER BY id DESC LIMIT 1', [monthStart(month)]);
  const r = rows[0];
  return r ? { id: Number(r.id), source: r.source, rows: r.rows, importedAt: r.imported_at.toISOString() } : undefined;
}
