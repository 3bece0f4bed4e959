import type { Queryable } from '../queryable';

/**
 * Today in the region furthest ahead of the regions we serve (reports count each fact on its
 * region's local day): the last day a report "up to now" must cover. UTC's today without regions.
 */
export async function latestLocalDay(db: Queryable): Promise<string> {
  const { rows } = await db.query<{ day: string }>(
    `SELECT to_char(COALESCE(max((now() AT TIME ZONE time_zone)::date), (now() AT TIME ZONE 'UTC')::date), 'YYYY-MM-DD') AS day FROM regions`);
  return rows[0]!.day;
}
