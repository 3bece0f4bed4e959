// The audit log's statements (db/migrations/012_audit_log.sql): rows are only ever appended.

export const RECORD_AUDIT = `
  INSERT INTO audit_log (request_id, phase, actor_sub, actor_role, method, route, targets, status, outcome)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
  ON CONFLICT (request_id, phase) DO NOTHING`;

/**
 * One entry per request, newest first: what was asked and what it was answered, filtered by a
 * target id ($1), an actor ($2), a period ($3 ≤ at < $4), before an entry id ($5, the previous
 * page's last), at most $6.
 */
export const AUDIT_ENTRIES = `
  WITH picked AS (
    SELECT request_id, min(id) AS id FROM audit_log
     WHERE ($1::text IS NULL OR targets @> ARRAY[$1::text])
       AND ($2::text IS NULL OR actor_sub = $2)
       AND ($3::timestamptz IS NULL OR at >= $3)
       AND ($4::timestamptz IS NULL OR at < $4)
     GROUP BY request_id
    HAVING $5::bigint IS NULL OR min(id) < $5
     ORDER BY min(id) DESC
     LIMIT $6)
  SELECT p.id, p.request_id, COALESCE(r.at, a.at) AS at, a.at AS answered_at,
         COALESCE(r.actor_sub, a.actor_sub) AS actor_sub, COALESCE(r.actor_role, a.actor_role) AS actor_role,
         COALESCE(r.method, a.method) AS method, COALESCE(r.route, a.route) AS route,
         COALESCE(a.targets, r.targets) AS targets, a.status, a.outcome
    FROM picked p
    LEFT JOIN audit_log r ON r.request_id = p.request_id AND r.phase = 'requested'
    LEFT JOIN audit_log a ON a.request_id = p.request_id AND a.phase = 'answered'
   ORDER BY p.id DESC`;

export interface AuditEntryRow {
  id: string;
  request_id: string;
  at: Date;
  answered_at: Date | null;
  actor_sub: string;
  actor_role: string;
  method: string;
  route: string;
  targets: string[];
  status: number | null;
  outcome: string | null;
}
