/**
 * The service catalogue's rules (docs/sales-points.md): a service's terms are effective-dated (a
 * change applies from a day on, the earlier terms stay), and the points a sale earns should keep
 * to a band of the monthly tariff (20%-30% by default, sales_points_settings), or say why not.
 */

/** A service's terms from a day on (sales_service_terms). */
export interface ServiceTerm {
  /** YYYY-MM-DD */
  effectiveFrom: string;
  monthlyTariff: number;
  points: number;
  requiresUsage: boolean;
  reason: string | null;
}

/** The band points should keep to, as fractions of the monthly tariff (0.2 = 20%). */
export interface PointsBand {
  low: number;
  high: number;
}

/** The term in force on a day (YYYY-MM-DD): the latest one effective on or before it; undefined before the first. */
export function termInForce<T extends { effectiveFrom: string }>(terms: readonly T[], day: string): T | undefined {
  let found: T | undefined;
  for (const t of terms) {
    if (t.effectiveFrom <= day && (!found || t.effectiveFrom > found.effectiveFrom)) found = t;
  }
  return found;
}

/** Cents, so 0.2 × 58 = 11.6 compares as money and not as 11.600000000000001. */
const cents = (n: number) => Math.round(n * 100);

/**
 * Why points outside the band need a reason, or undefined when they keep to it. The band's ends
 * are in (20% of 58 = 11.60 is within 20%-30%).
 */
export function bandRefusal(points: number, tariff: number, band: PointsBand): string | undefined {
  const low = cents(tariff * band.low);
  const high = cents(tariff * band.high);
  const p = cents(points);
  if (p >= low && p <= high) return undefined;
  const pct = (f: number) => `${Number((f * 100).toFixed(2))}%`;
  return `${points} points is ${p < low ? 'below' : 'above'} the band of ${pct(band.low)}-${pct(band.high)} of the tariff ${tariff} `
    + `(${(low / 100).toFixed(2)}-${(high / 100).toFixed(2)}): say why in reason`;
}

/** Whether a service can be sold on a day: not on or after its retirement day. */
export const retiredOn = (retired: string | null, day: string): boolean => retired !== null && day >= retired;

/** Whether YYYY-MM-DD names a day of the calendar (not 2026-02-30). */
export function isCalendarDay(day: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return false;
  const d = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === day;
}
