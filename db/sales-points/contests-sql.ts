import type { Queryable } from '../queryable';
import type { Prize, StandingMetric } from '../../domain/reports/sales-points';
import type { StandingScope } from '../reports/sales-points-sql';

/** A sales contest: a period of days, a metric, a scope and its prizes (docs/sales-points.md). */
export interface Contest {
  id: string;
  name: string;
  from: string;
  to: string;
  metric: StandingMetric;
  scope: StandingScope;
  prizes: Prize[];
  createdBy: string;
  createdAt: string;
}

interface ContestRow {
  id: string; name: string; from_day: string; to_day: string; metric: StandingMetric; scope_kind: StandingScope['kind']; scope_code: string | null;
  prizes: Prize[]; created_by: string; created_at: Date;
}
const COLUMNS = `id, name, to_char(from_day, 'YYYY-MM-DD') AS from_day, to_char(to_day, 'YYYY-MM-DD') AS to_day, metric, scope_kind, scope_code, prizes, created_by, created_at`;

const toContest = (r: ContestRow): Contest => ({
  id: r.id, name: r.name, from: r.from_day, to: r.to_day, metric: r.metric,
  scope: r.scope_kind === 'all' ? { kind: 'all' } : { kind: r.scope_kind, code: r.scope_code! },
  prizes: r.prizes, createdBy: r.created_by, createdAt: r.created_at.toISOString(),
});

export async function readContest(db: Queryable, id: string): Promise<Contest | undefined> {
  const { rows } = await db.query<ContestRow>(`SELECT ${COLUMNS} FROM sales_contests WHERE id = $1`, [id]);
  return rows[0] && toContest(rows[0]);
}

export async function listContests(db: Queryable, p: { limit: number; offset: number }): Promise<{ contests: Contest[]; total: number }> {
  const [page, total] = await Promise.all([
    db.query<ContestRow>(`SELECT ${COLUMNS} FROM sales_contests ORDER BY from_day DESC, id LIMIT $1 OFFSET $2`, [p.limit, p.offset]),
    db.query<{ n: string }>('SELECT count(*) AS n FROM sales_contests'),
  ]);
  return { contests: page.rows.map(toContest), total: Number(total.rows[0]!.n) };
}

/** Writes a contest (insert, or replace what the caller checked may be replaced). */
export async function saveContest(db: Queryable, c: Omit<Contest, 'createdAt'>): Promise<void> {
  await db.query(
    `INSERT INTO sales_contests (id, name, from_day, to_day, metric, scope_kind, scope_code, prizes, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, from_day = EXCLUDED.from_day, to_day = EXCLUDED.to_day, metric = EXCLUDED.metric,
       scope_kind = EXCLUDED.scope_kind, scope_code = EXCLUDED.scope_code, prizes = EXCLUDED.prizes`,
    [c.id, c.name, c.from, c.to, c.metric, c.scope.kind, c.scope.kind === 'all' ? null : c.scope.code, JSON.stringify(c.prizes), c.createdBy],
  );
}

/** Whether a department, area or outlet of that code exists. */
export async function scopeExists(db: Queryable, scope: StandingScope): Promise<boolean> {
  if (scope.kind === 'all') return true;
  return Boolean((await db.query('SELECT 1 FROM sales_org_units WHERE code = $1 AND kind = $2', [scope.code, scope.kind])).rowCount);
}
