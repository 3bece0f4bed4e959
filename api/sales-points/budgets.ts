import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { actorText } from '../../domain/compliance/numbers';
import { MonthSchema, monthStart } from '../../domain/sales-points/month';
import { OVERRUN_MEANING, OVERRUN_POLICIES } from '../../domain/sales-points/reconciliation';
import { lockMonth, runStatus } from '../../db/sales-points/run-sql';
import { inTransaction } from '../../infra/db';
import type { AppDeps } from '../deps';
import { ErrorBody, conflict, rules, ruleBroken } from '../errors';

const Policy = z.enum(OVERRUN_POLICIES).describe(Object.entries(OVERRUN_MEANING).map(([p, m]) => `${p}: ${m}`).join('; '));
const ScopeKind = z.enum(['area', 'department']);
const Budget = z.object({
  month: z.string(), scopeKind: ScopeKind, scopeCode: z.string(), scopeName: z.string(), points: z.number(), overrunPolicy: Policy, setBy: z.string(), setAt: z.string(),
});
interface Row { month: string; scope_kind: 'area' | 'department'; scope_code: string; name: string; points: string; overrun_policy: (typeof OVERRUN_POLICIES)[number]; set_by: string; set_at: Date }
const toBudget = (r: Row) => ({
  month: r.month, scopeKind: r.scope_kind, scopeCode: r.scope_code, scopeName: r.name, points: Number(r.points), overrunPolicy: r.overrun_policy, setBy: r.set_by, setAt: r.set_at.toISOString(),
});
const SELECT = `SELECT to_char(b.month, 'YYYY-MM') AS month, b.scope_kind, b.scope_code, u.name, b.points, b.overrun_policy, b.set_by, b.set_at
  FROM points_budgets b JOIN sales_org_units u ON u.code = b.scope_code`;

/**
 * A month's points budgets per area or department, and the policy past them (applied by the
 * month's reconciliation: an area's budget covers its sales, else their department's).
 */
export const salesPointsBudgetRoutes = (deps: AppDeps): FastifyPluginAsyncZod => async (app) => {
  app.put('/sales-points/budgets/:month/:scopeKind/:scopeCode', {
    config: { roles: ['finance'] },
    schema: {
      tags: ['sales-points'],
      summary: 'Set a month\'s points budget for an area or a department, and what happens past it; a closed month\'s is refused',
      params: z.strictObject({ month: MonthSchema, scopeKind: ScopeKind, scopeCode: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'an organisation unit\'s code') }),
      body: z.strictObject({ points: z.number().min(0.01).max(1e9).multipleOf(0.01), overrunPolicy: Policy }),
      response: { 200: Budget, 409: ErrorBody.describe('The month is closed'), ...rules('scopeCode is an area or department of that kind') },
    },
  }, async (request) => {
    const { month, scopeKind, scopeCode } = request.params;
    return inTransaction(deps.db, async (tx) => {
      await lockMonth(tx, month);
      if ((await runStatus(tx, month)) === 'closed') throw conflict(`sales points month ${month} is closed; its budgets never change`);
      const { rows: [unit] } = await tx.query<{ kind: string }>(`SELECT kind FROM sales_org_units WHERE code = $1`, [scopeCode]);
      if (unit?.kind !== scopeKind) throw ruleBroken('params.scopeCode', unit ? `${scopeCode} is an ${unit.kind}, not a ${scopeKind}` : `no ${scopeKind} ${scopeCode}`);
      await tx.query(
        `INSERT INTO points_budgets (month, scope_kind, scope_code, points, overrun_policy, set_by) VALUES ($1::date, $2, $3, $4, $5, $6)
         ON CONFLICT (month, scope_kind, scope_code) DO UPDATE SET points = EXCLUDED.points, overrun_policy = EXCLUDED.overrun_policy, set_by = EXCLUDED.set_by, set_at = now()`,
        [monthStart(month), scopeKind, scopeCode, request.body.points, request.body.overrunPolicy, actorText(request.actor!)]);
      const { rows: [r] } = await tx.query<Row>(`${SELECT} WHERE b.month = $1::date AND b.scope_kind = $2 AND b.scope_code = $3`, [monthStart(month), scopeKind, scopeCode]);
      return toBudget(r!);
    });
  });

  app.get('/sales-points/budgets', {
    config: { roles: ['finance'] },
    schema: {
      tags: ['sales-points'],
      summary: 'A month\'s budgets, and whether the month is closed',
      querystring: z.strictObject({ month: MonthSchema }),
      response: { 200: z.object({ month: z.string(), closed: z.boolean(), budgets: z.array(Budget) }) },
    },
  }, async (request) => {
    const { month } = request.query;
    const [{ rows }, status] = await Promise.all([
      deps.db.query<Row>(`${SELECT} WHERE b.month = $1::date ORDER BY b.scope_kind, b.scope_code`, [monthStart(month)]),
      runStatus(deps.db, month),
    ]);
    return { month, closed: status === 'closed', budgets: rows.map(toBudget) };
  });
};
