import type { HotlineSettings } from '../../domain/hotline/words';
import type { Queryable } from '../queryable';

/** The decisioning's settings (one row) and the plans' brands. */

interface Row {
  refusal_quiet_days: number;
  weekly_cap: number;
  max_offers: number;
  prior_rate: string;
  prior_weight: string;
  referral_window_seconds: number;
  updated_by: string;
  updated_at: Date;
}

export type SettingsView = HotlineSettings & { updatedBy: string; updatedAt: string };

const view = (r: Row): SettingsView => ({
  refusalQuietDays: r.refusal_quiet_days, weeklyCap: r.weekly_cap, maxOffers: r.max_offers, priorRate: Number(r.prior_rate),
  priorWeight: Number(r.prior_weight), referralWindowSeconds: r.referral_window_seconds, updatedBy: r.updated_by, updatedAt: r.updated_at.toISOString(),
});

export const readSettings = async (q: Queryable): Promise<SettingsView> =>
  view((await q.query<Row>('SELECT * FROM hotline_settings')).rows[0]!);

export async function changeSettings(q: Queryable, s: Partial<HotlineSettings>, by: string): Promise<SettingsView> {
  const { rows: [r] } = await q.query<Row>(
    `UPDATE hotline_settings SET refusal_quiet_days = coalesce($1, refusal_quiet_days), weekly_cap = coalesce($2, weekly_cap),
       max_offers = coalesce($3, max_offers), prior_rate = coalesce($4, prior_rate), prior_weight = coalesce($5, prior_weight),
       referral_window_seconds = coalesce($7, referral_window_seconds), updated_by = $6, updated_at = now()
     RETURNING *`,
    [s.refusalQuietDays ?? null, s.weeklyCap ?? null, s.maxOffers ?? null, s.priorRate ?? null, s.priorWeight ?? null, by, s.referralWindowSeconds ?? null]);
  return view(r!);
}

export interface BrandView {
  code: string;
  name: string;
  plans: string[];
}

export const readBrands = async (q: Queryable): Promise<BrandView[]> =>
  (await q.query<BrandView>(
    `SELECT b.code, b.name, coalesce(array_agg(p.plan ORDER BY p.plan) FILTER (WHERE p.plan IS NOT NULL), '{}') AS plans
       FROM brands b LEFT JOIN plan_brands p ON p.brand = b.code GROUP BY b.code, b.name ORDER BY b.code`)).rows;

/** Puts a brand and the plans it covers (a plan moves from another brand to this one). */
export async function putBrand(q: Queryable, code: string, name: string, plans: readonly string[]): Promise<BrandView> {
  await q.query(`INSERT INTO brands (code, name) VALUES ($1, $2) ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name
                  WHERE brands.name IS DISTINCT FROM EXCLUDED.name`, [code, name]);
  if (plans.length) {
    await q.query(`INSERT INTO plan_brands (plan, brand) SELECT p, $1 FROM unnest($2::text[]) p
                   ON CONFLICT (plan) DO UPDATE SET brand = EXCLUDED.brand WHERE plan_brands.brand IS DISTINCT FROM EXCLUDED.brand`, [code, plans]);
  }
  return (await readBrands(q)).find((b) => b.code === code)!;
}
