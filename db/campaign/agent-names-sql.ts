import type { Queryable } from '../queryable';

/** The roster's names of these agents (an id the roster does not have is left out). */
export async function agentNames(db: Queryable, ids: readonly string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const { rows } = await db.query<{ id: string; name: string }>('SELECT id, name FROM agents WHERE id = ANY($1::text[])', [ids]);
  return new Map(rows.map((r) => [r.id, r.name]));
}
