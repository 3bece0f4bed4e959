import type { OfferBody, LeverBody } from '../../domain/hotline/schemas';
import type { Db } from '../../infra/db';
import { inTransaction } from '../../infra/db';
import type { Queryable } from '../queryable';

/** The offers marketing keeps: put by code, levers added, scripts versioned. Every change moves the catalogue's version (trigger). */

export interface OfferRow {
  code: string;
  name: string;
  price: string;
  ships: { sku: string; qty: number }[];
  collect: { method: 'cash-on-delivery' | 'deposit'; amount: number } | null;
  margin: string;
  eligibility: unknown;
  channels: string[];
  kind: string;
  reasons: string[];
  active: boolean;
  version: number;
  updated_by: string;
  updated_at: Date;
  /** The service catalogue has the code: a sale of it earns sales points. */
  in_catalogue: boolean;
}

const OFFER_SELECT = `SELECT o.*, EXISTS (SELECT 1 FROM sales_services s WHERE s.code = o.code) AS in_catalogue FROM offers o`;

/** Puts an offer; a repeat as it is changes nothing (and keeps its version). */
export async function putOffer(q: Queryable, code: string, b: OfferBody, by: string): Promise<{ created: boolean; row: OfferRow }> {
  const { rows: [r] } = await q.query<{ created: boolean }>(
    `INSERT INTO offers AS o (code, name, price, ships, collect, margin, eligibility, channels, kind, reasons, active, updated_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, price = EXCLUDED.price, ships = EXCLUDED.ships, collect = EXCLUDED.collect,
       margin = EXCLUDED.margin, eligibility = EXCLUDED.eligibility, channels = EXCLUDED.channels, kind = EXCLUDED.kind, reasons = EXCLUDED.reasons,
       active = EXCLUDED.active, updated_by = EXCLUDED.updated_by, updated_at = now(), version = o.version + 1
     WHERE (o.name, o.price, o.ships, o.collect, o.margin, o.eligibility, o.channels, o.kind, o.reasons, o.active)
           IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.price, EXCLUDED.ships, EXCLUDED.collect, EXCLUDED.margin, EXCLUDED.eligibility,
                             EXCLUDED.channels, EXCLUDED.kind, EXCLUDED.reasons, EXCLUDED.active)
     RETURNING (xmax = 0) AS created`,
    [code, b.name, b.price, JSON.stringify(b.ships), b.collect ? JSON.stringify(b.collect) : null, b.margin,
      b.eligibility ? JSON.stringify(b.eligibility) : null, b.channels, b.kind, b.reasons, b.active, by]);
  return { created: r?.created ?? false, row: (await offer(q, code))! };
}

export const offer = async (q: Queryable, code: string): Promise<OfferRow | undefined> =>
  (await q.query<OfferRow>(`${OFFER_SELECT} WHERE o.code = $1`, [code])).rows[0];

export const allOffers = async (q: Queryable, active?: boolean): Promise<OfferRow[]> =>
  (await q.query<OfferRow>(`${OFFER_SELECT} WHERE $1::boolean IS NULL OR o.active = $1 ORDER BY o.code`, [active ?? null])).rows;

export interface LeverRow {
  id: string;
  offer_code: string;
  region: string;
  lever: string;
  effective_from: string;
  effective_to: string | null;
  reason: string | null;
  set_by: string;
  set_at: Date;
}

const LEVER_SELECT = `SELECT id, offer_code, region, lever, effective_from::text AS effective_from, effective_to::text AS effective_to, reason, set_by, set_at
  FROM offer_levers`;

export async function addLever(q: Queryable, code: string, l: LeverBody, by: string): Promise<LeverRow> {
  const { rows: [r] } = await q.query<{ id: string }>(
    `INSERT INTO offer_levers (offer_code, region, lever, effective_from, effective_to, reason, set_by) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [code, l.region, l.lever, l.effectiveFrom, l.effectiveTo, l.reason ?? null, by]);
  return (await q.query<LeverRow>(`${LEVER_SELECT} WHERE id = $1`, [r!.id])).rows[0]!;
}

export const leversOf = async (q: Queryable, code: string): Promise<LeverRow[]> =>
  (await q.query<LeverRow>(`${LEVER_SELECT} WHERE offer_code = $1 ORDER BY id`, [code])).rows;

export interface ScriptRow {
  offer_code: string;
  brand: string;
  version: number;
  body: string;
  active: boolean;
  created_by: string;
  created_at: Date;
}

/** A script's next version for its offer and brand; the offer's row is locked so two at once get two versions. */
export async function addScript(db: Db, code: string, brand: string, body: string, by: string): Promise<ScriptRow | undefined> {
  return inTransaction(db, async (tx) => {
    if (!(await tx.query('SELECT 1 FROM offers WHERE code = $1 FOR UPDATE', [code])).rowCount) return undefined;
    const { rows: [r] } = await tx.query<ScriptRow>(
      `INSERT INTO offer_scripts (offer_code, brand, version, body, created_by)
       SELECT $1, $2, coalesce(max(version), 0) + 1, $3, $4 FROM offer_scripts WHERE offer_code = $1 AND brand = $2
       RETURNING *`, [code, brand, body, by]);
    return r;
  });
}

export const scriptsOf = async (q: Queryable, code: string, brand?: string): Promise<ScriptRow[]> =>
  (await q.query<ScriptRow>(`SELECT * FROM offer_scripts WHERE offer_code = $1 AND ($2::text IS NULL OR brand = $2) ORDER BY brand, version`,
    [code, brand ?? null])).rows;

/** Withdraws or restores a version (its text never changes). */
export async function setScriptActive(q: Queryable, code: string, brand: string, version: number, active: boolean): Promise<ScriptRow | undefined> {
  const { rows: [r] } = await q.query<ScriptRow>(
    `UPDATE offer_scripts SET active = $4 WHERE offer_code = $1 AND brand = $2 AND version = $3 RETURNING *`, [code, brand, version, active]);
  return r;
}

export const brandExists = async (q: Queryable, brand: string): Promise<boolean> =>
  (await q.query('SELECT 1 FROM brands WHERE code = $1', [brand])).rowCount === 1;

export const regionExists = async (q: Queryable, region: string): Promise<boolean> =>
  (await q.query('SELECT 1 FROM regions WHERE code = $1', [region])).rowCount === 1;
