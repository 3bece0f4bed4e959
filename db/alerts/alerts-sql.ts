import type { Queryable } from '../queryable';

/**
 * Alerts a person should see (GET /alerts, the dashboard) and a configured address is sent
 * (activities/alerts/delivery.ts): raised once per kind, subject and level.
 */

export interface AlertInput {
  /** What it is about: 'points-budget', 'sales-points-approval', … */
  kind: string;
  /** Which one: a month, `2026-11/area/north`, … (no personal data: codes and months only). */
  subject: string;
  /** How far it went: '80%', '100%', 'overdue', … */
  level: string;
  message: string;
}

export interface Alert extends AlertInput {
  id: number;
  raisedAt: string;
  deliveredAt: string | null;
  deliveryAttempts: number;
  lastError: string | null;
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
}

interface AlertRow {
  id: string; kind: string; subject: string; level: string; message: string; raised_at: Date; delivered_at: Date | null;
  delivery_attempts: number; last_error: string | null; acknowledged_by: string | null; acknowledged_at: Date | null;
}

const toAlert = (r: AlertRow): Alert => ({
  id: Number(r.id), kind: r.kind, subject: r.subject, level: r.level, message: r.message, raisedAt: r.raised_at.toISOString(),
  deliveredAt: r.delivered_at?.toISOString() ?? null, deliveryAttempts: r.delivery_attempts, lastError: r.last_error,
  acknowledgedBy: r.acknowledged_by, acknowledgedAt: r.acknowledged_at?.toISOString() ?? null,
});

/**
 * Raises an alert unless the same kind, subject and level was raised before: `raised` says whether
 * this call made it (a repeat, a retried activity, a second watch run, changes nothing).
 */
export async function raiseAlert(q: Queryable, a: AlertInput): Promise<{ id: number; raised: boolean }> {
  const { rows } = await q.query<{ id: string }>(
    `INSERT INTO alerts (kind, subject, level, message) VALUES ($1, $2, $3, $4)
     ON CONFLICT (kind, subject, level) DO NOTHING RETURNING id`, [a.kind, a.subject, a.level, a.message]);
  if (rows[0]) return { id: Number(rows[0].id), raised: true };
  const { rows: prior } = await q.query<{ id: string }>(
    'SELECT id FROM alerts WHERE kind = $1 AND subject = $2 AND level = $3', [a.kind, a.subject, a.level]);
  return { id: Number(prior[0]!.id), raised: false };
}

/** Alerts, newest first: of one kind, and only the ones nobody acknowledged (open) when asked. */
export async function listAlerts(q: Queryable, f: { kind?: string; open?: boolean; limit: number }): Promise<Alert[]> {
  const { rows } = await q.query<AlertRow>(
    `SELECT * FROM alerts
      WHERE ($1::text IS NULL OR kind = $1)
        AND ($2::boolean IS NULL OR (acknowledged_at IS NULL) = $2)
      ORDER BY raised_at DESC, id DESC LIMIT $3`, [f.kind ?? null, f.open ?? null, f.limit]);
  return rows.map(toAlert);
}

export async function getAlert(q: Queryable, id: number): Promise<Alert | undefined> {
  const { rows } = await q.query<AlertRow>('SELECT * FROM alerts WHERE id = $1', [id]);
  return rows[0] && toAlert(rows[0]);
}

/** A person has seen it; a second acknowledgement keeps the first one's name and time. */
export async function acknowledgeAlert(q: Queryable, id: number, by: string): Promise<Alert | undefined> {
  await q.query('UPDATE alerts SET acknowledged_by = $2, acknowledged_at = now() WHERE id = $1 AND acknowledged_at IS NULL', [id, by]);
  return getAlert(q, id);
}

/**
 * Alerts not delivered yet and not being posted now, the least tried first (one an address keeps
 * refusing does not hold the new ones back), then the oldest.
 */
export async function undeliveredAlertIds(q: Queryable, limit: number): Promise<number[]> {
  const { rows } = await q.query<{ id: string }>(
    `SELECT id FROM alerts WHERE delivered_at IS NULL AND (delivering_until IS NULL OR delivering_until < now())
      ORDER BY delivery_attempts, raised_at, id LIMIT $1`, [limit]);
  return rows.map((r) => Number(r.id));
}

/** What claiming an alert's post found: it is this attempt's (until `lease`), delivered already, or another attempt's until then. */
export type DeliveryClaim = { lease: string } | { delivered: true } | { busyUntil: string } | { missing: true };

/**
 * Takes an undelivered alert for one post, for `seconds` (longer than a post may take): two
 * attempts at once (an escalation's activity and the budget watch's pass, two passes) post it
 * once, the other one learns it is taken. An attempt that died mid-post leaves a lease that
 * runs out, and the next attempt takes it. The row's lock orders two claims: the second one
 * sees the first one's lease.
 */
export async function claimDelivery(q: Queryable, id: number, seconds: number): Promise<DeliveryClaim> {
  const { rows } = await q.query<{ lease: string }>(
    `UPDATE alerts SET delivering_until = now() + make_interval(secs => $2)
      WHERE id = $1 AND delivered_at IS NULL AND (delivering_until IS NULL OR delivering_until < now())
      RETURNING delivering_until::text AS lease`, [id, seconds]);
  if (rows[0]) return { lease: rows[0].lease };
  const { rows: [row] } = await q.query<{ delivered: boolean; until: string | null }>(
    'SELECT delivered_at IS NOT NULL AS delivered, delivering_until::text AS until FROM alerts WHERE id = $1', [id]);
  if (!row) return { missing: true };
  return row.delivered ? { delivered: true } : { busyUntil: row.until ?? 'a moment ago' };
}

/**
 * One delivery attempt's outcome: delivered (once; a later success changes nothing) or the error.
 * The attempt's lease (claimDelivery) is given back, unless it ran out and another attempt holds
 * the alert now.
 */
export async function recordDeliveryAttempt(q: Queryable, id: number, outcome: { delivered: true } | { error: string }, lease: string | null = null): Promise<void> {
  const release = 'delivering_until = CASE WHEN delivering_until = $2::timestamptz THEN NULL ELSE delivering_until END';
  if ('delivered' in outcome) {
    await q.query(`UPDATE alerts SET delivered_at = COALESCE(delivered_at, now()), delivery_attempts = delivery_attempts + 1, last_error = NULL,
                    ${release} WHERE id = $1`, [id, lease]);
  } else {
    await q.query(`UPDATE alerts SET delivery_attempts = delivery_attempts + 1, last_error = $3, ${release} WHERE id = $1`,
      [id, lease, outcome.error.slice(0, 1000)]);
  }
}

/** Where alerts are posted (sales_points_settings.alert_webhook_url); null: nowhere. */
export async function alertWebhookUrl(q: Queryable): Promise<string | null> {
  const { rows } = await q.query<{ alert_webhook_url: string | null }>('SELECT alert_webhook_url FROM sales_points_settings');
  return rows[0]?.alert_webhook_url ?? null;
}
