import type { Queryable } from '../queryable';
import type { Db } from '../../infra/db';
import { inTransaction } from '../../infra/db';
import { addMonths, monthStart, type Month } from '../../domain/sales-points/month';
import { nextOpenMonth } from '../../domain/sales-points/reconciliation';
import { closedMonthsFrom, lockMonth, refreshRunPoints, runStatus } from './run-sql';
import { outcomeJoins, outcomeOf } from './outcome-sql';

/**
 * Disputes of unmatched sales: a staff member's comment, finance's decision. Accepted, the sale's
 * points (the terms of its day) are credited in the next open month as an adjustment: a person's
 * decision, so no run writes or replaces it (run_month null).
 */

export interface Dispute {
  id: number; entryId: number; staffId: string; month: Month; serviceCode: string; comment: string;
  status: 'open' | 'accepted' | 'declined'; openedAt: string; decidedBy: string | null; decisionReason: string | null; decidedAt: string | null;
  adjustment: { ledgerId: number; month: Month; points: number } | null;
}

const SELECT = `
SELECT d.id, d.entry_id, d.staff_id, to_char(e.month, 'YYYY-MM') AS month, e.service_code, d.comment, d.status, d.opened_at,
       d.decided_by, d.decision_reason, d.decided_at, d.ledger_id, to_char(l.month, 'YYYY-MM') AS adj_month, l.points::text AS adj_points
  FROM sales_disputes d JOIN sales_entries e ON e.id = d.entry_id LEFT JOIN points_ledger l ON l.id = d.ledger_id`;

interface Row {
  id: string; entry_id: string; staff_id: string; month: string; service_code: string; comment: string; status: Dispute['status'];
  opened_at: Date; decided_by: string | null; decision_reason: string | null; decided_at: Date | null; ledger_id: string | null; adj_month: string | null; adj_points: string | null;
}
const toDispute = (r: Row): Dispute => ({
  id: Number(r.id), entryId: Number(r.entry_id), staffId: r.staff_id, month: r.month, serviceCode: r.service_code, comment: r.comment, status: r.status,
  openedAt: r.opened_at.toISOString(), decidedBy: r.decided_by, decisionReason: r.decision_reason, decidedAt: r.decided_at?.toISOString() ?? null,
  adjustment: r.ledger_id ? { ledgerId: Number(r.ledger_id), month: r.adj_month!, points: Number(r.adj_points) } : null,
});

export async function readDispute(q: Queryable, id: number): Promise<Dispute | undefined> {
  const { rows: [r] } = await q.query<Row>(`${SELECT} WHERE d.id = $1`, [id]);
  return r && toDispute(r);
}

/** A sale as a dispute needs it: whose it is and what billing said of it. */
export async function entryForDispute(q: Queryable, entryId: number): Promise<{ staffId: string; outcome: string | null } | undefined> {
  const { rows: [r] } = await q.query<{ staff_id: string; outcome: string | null }>(
    `SELECT e.staff_id, ${outcomeOf()} AS outcome FROM sales_entries e ${outcomeJoins('e')} WHERE e.id = $1`, [entryId]);
  return r && { staffId: r.staff_id, outcome: r.outcome };
}

/** Opens a dispute, or 'live' when the sale has one open or accepted already. */
export async function openDispute(q: Queryable, entryId: number, staffId: string, comment: string): Promise<Dispute | 'live'> {
  const { rows: [r] } = await q.query<{ id: string }>(
    `INSERT INTO sales_disputes (entry_id, staff_id, comment) VALUES ($1, $2, $3) ON CONFLICT (entry_id) WHERE status IN ('open', 'accepted') DO NOTHING RETURNING id`,
    [entryId, staffId, comment]);
  if (!r) return 'live';
  return (await readDispute(q, Number(r.id)))!;
}

export async function listDisputes(q: Queryable, filter: { status?: string; month?: Month; staffId?: string }): Promise<Dispute[]> {
  const { rows } = await q.query<Row>(
    `${SELECT} WHERE ($1::text IS NULL OR d.status = $1) AND ($2::date IS NULL OR e.month = $2::date) AND ($3::text IS NULL OR d.staff_id = $3)
      ORDER BY d.id LIMIT 1000`,
    [filter.status ?? null, filter.month ? monthStart(filter.month) : null, filter.staffId ?? null]);
  return rows.map(toDispute);
}

type Decision = { by: string; reason: string };

/** Locks an open dispute for a decision: 'not-found', 'decided' (it was already), or its sale's facts. */
async function openForDecision(tx: Queryable, id: number) {
  const { rows: [d] } = await tx.query<{ status: string; entry_id: string; month: string }>(
    `SELECT d.status, d.entry_id, to_char(e.month, 'YYYY-MM') AS month FROM sales_disputes d JOIN sales_entries e ON e.id = d.entry_id WHERE d.id = $1 FOR UPDATE OF d`, [id]);
  if (!d) return 'not-found' as const;
  if (d.status !== 'open') return 'decided' as const;
  return { entryId: Number(d.entry_id), month: d.month };
}

/**
 * Accepts: an adjustment crediting the sale's points (the terms in force on its day, in the
 * operator's zone) in the first month after the sale's that is not closed, under that month's lock
 * (so it cannot close meanwhile); a reconciled run's totals take it in.
 */
export async function acceptDispute(db: Db, id: number, decision: Decision, timeZone: string): Promise<Dispute | 'not-found' | 'decided' | 'matched'> {
  return inTransaction(db, async (tx) => {
    const d = await openForDecision(tx, id);
    if (typeof d === 'string') return d;
    // Under the sale's month's lock (before the later months', as a reconciliation takes them): a
    // recompute that matched the sale meanwhile paid it, so there is nothing left to adjust.
    await lockMonth(tx, d.month);
    const { rows: [match] } = await tx.query<{ outcome: string | null }>(
      `SELECT ${outcomeOf()} AS outcome FROM sales_entries e ${outcomeJoins('e')} WHERE e.id = $1`, [d.entryId]);
    if (match?.outcome !== 'unmatched') return 'matched' as const;
    let target = nextOpenMonth(d.month, await closedMonthsFrom(tx, addMonths(d.month, 1)));
    for (;;) {
      await lockMonth(tx, target);
      if ((await runStatus(tx, target)) !== 'closed') break;
      target = nextOpenMonth(target, await closedMonthsFrom(tx, addMonths(target, 1)));
    }
    const { rows: [ledger] } = await tx.query<{ id: string }>(
      `INSERT INTO points_ledger (month, staff_id, kind, points, entry_id, dispute_id, service_code, outlet, area, department, reason)
       SELECT $2::date, e.staff_id, 'adjustment', coalesce(t.points, 0), e.id, $3::bigint, e.service_code, e.outlet, e.area, e.department,
              'dispute #' || $3::bigint || ' of sale #' || e.id || ' (' || to_char(e.month, 'YYYY-MM') || ') accepted by ' || $4::text || ': ' || $5::text || '; '
              || coalesce(trim_scale(t.points) || ' points by the terms from ' || t.effective_from, 'no terms in force that day, 0 points')
         FROM sales_entries e
         LEFT JOIN LATERAL (
           SELECT points, effective_from FROM sales_service_terms t
            WHERE t.service_code = e.service_code AND t.effective_from <= (e.sold_at AT TIME ZONE $6::text)::date
            ORDER BY effective_from DESC LIMIT 1) t ON true
        WHERE e.id = $1
       RETURNING id`,
      [d.entryId, monthStart(target), id, decision.by, decision.reason, timeZone]);
    await tx.query(
      `UPDATE sales_disputes SET status = 'accepted', decided_by = $2, decision_reason = $3, decided_at = now(), ledger_id = $4 WHERE id = $1`,
      [id, decision.by, decision.reason, ledger!.id]);
    await refreshRunPoints(tx, target);
    return (await readDispute(tx, id))!;
  });
}

export async function declineDispute(db: Db, id: number, decision: Decision): Promise<Dispute | 'not-found' | 'decided'> {
  return inTransaction(db, async (tx) => {
    const d = await openForDecision(tx, id);
    if (typeof d === 'string') return d;
    await tx.query(
      `UPDATE sales_disputes SET status = 'declined', decided_by = $2, decision_reason = $3, decided_at = now() WHERE id = $1`,
      [id, decision.by, decision.reason]);
    return (await readDispute(tx, id))!;
  });
}
