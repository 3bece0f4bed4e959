import type { Queryable } from '../queryable';

/** Interactions: opened once per call (the dialer's call id) or per caller's Idempotency-Key. */

export interface InteractionRow {
  id: string;
  call_id: string | null;
  channel: string;
  customer_id: string;
  reason: string | null;
  team: string | null;
  agent_id: string | null;
  status: string;
  started_at: Date;
  answered_at: Date | null;
  ended_at: Date | null;
  opened_by: string;
  request_hash: string | null;
  msisdn: string;
  region: string;
  plan: string;
  brand: string | null;
}

const SELECT = `SELECT i.id, i.call_id, i.channel, i.customer_id, i.reason, i.team, i.agent_id, i.status, i.started_at, i.answered_at, i.ended_at,
       i.opened_by, i.request_hash, c.msisdn, c.region, c.plan, pb.brand
  FROM hotline_interactions i JOIN customers c ON c.id = i.customer_id LEFT JOIN plan_brands pb ON pb.plan = c.plan`;

export interface NewInteraction {
  customerId: number;
  channel: string;
  reason: string | null;
  callId: string | null;
  team: string | null;
  agentId: string | null;
  openedBy: string;
  idempotencyKey: string | null;
  requestHash: string;
}

/**
 * Opens an interaction, or finds the one its call id or the caller's key opened (created false).
 * Undefined: no such customer, or one erased (an erased customer's call is not recorded by them).
 * A call answered by an agent is open; a self-service visit too.
 */
export async function openInteraction(q: Queryable, n: NewInteraction): Promise<{ row: InteractionRow; created: boolean } | undefined> {
  const { rows: [made] } = await q.query<{ id: string }>(
    `INSERT INTO hotline_interactions (call_id, channel, customer_id, reason, team, agent_id, status, answered_at, opened_by, idempotency_key, request_hash)
     SELECT $1, $2, c.id, $4, $5, $6, 'open', CASE WHEN $2 = 'call' AND $6::text IS NOT NULL THEN now() END, $7, $8, $9
       FROM customers c WHERE c.id = $3 AND c.erased_at IS NULL
     ON CONFLICT DO NOTHING RETURNING id`,
    [n.callId, n.channel, n.customerId, n.reason, n.team, n.agentId, n.openedBy, n.idempotencyKey, n.requestHash]);
  if (made) return { row: (await interaction(q, Number(made.id)))!, created: true };
  const { rows: [found] } = await q.query<InteractionRow>(
    `${SELECT} WHERE ($1::text IS NOT NULL AND i.call_id = $1) OR ($2::text IS NOT NULL AND i.opened_by = $3 AND i.idempotency_key = $2)
      ORDER BY i.id LIMIT 1`, [n.callId, n.idempotencyKey, n.openedBy]);
  return found ? { row: found, created: false } : undefined;
}

/** Prepared by name: planning the three tables' join cost more than running it (the agent's screen asks for it on every call). */
export const interaction = async (q: Queryable, id: number): Promise<InteractionRow | undefined> =>
  (await q.query<InteractionRow>({ name: 'hotline-interaction', text: `${SELECT} WHERE i.id = $1`, values: [id] })).rows[0];

/**
 * An agent takes over a call no agent has (domain/hotline/access.ts takesOver): set only while it
 * has none, in one statement, so two agents at once cannot both. The call's agent after it: this
 * one, or the one who came first (undefined: no such call).
 */
export async function takeOverCall(q: Queryable, id: number, agentId: string): Promise<string | null | undefined> {
  const { rows: [taken] } = await q.query<{ agent_id: string }>(
    `UPDATE hotline_interactions SET agent_id = $2 WHERE id = $1 AND channel = 'call' AND agent_id IS NULL RETURNING agent_id`, [id, agentId]);
  if (taken) return taken.agent_id;
  const { rows: [now] } = await q.query<{ agent_id: string | null }>('SELECT agent_id FROM hotline_interactions WHERE id = $1', [id]);
  return now?.agent_id;
}
