import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  STANDING_METRICS, STANDING_METRIC_NAMES, rankStandings, standingScore, withPrizes, type StandingMetric,
} from '../../domain/reports/sales-points';
import { dayAt } from '../../domain/sales-points/month';
import { readStaffSales, type StandingScope } from '../../db/reports/sales-points-sql';
import { listContests, readContest, saveContest, scopeExists, type Contest } from '../../db/sales-points/contests-sql';
import { actorText } from '../../domain/compliance/numbers';
import type { Db } from '../../infra/db';
import type { AppDeps } from '../deps';
import { ErrorBody, conflict, notFound, rules, ruleBroken } from '../errors';
import { isCalendarDay } from '../reports/report-query';

const DAY = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'a date, YYYY-MM-DD');
const Metric = z.enum(STANDING_METRIC_NAMES as [StandingMetric, ...StandingMetric[]])
  .describe(STANDING_METRIC_NAMES.map((m) => `${m}: ${STANDING_METRICS[m]}`).join('; '));
const Scope = z.union([
  z.strictObject({ kind: z.literal('all') }),
  z.strictObject({ kind: z.enum(['department', 'area', 'outlet']), code: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/) }),
]).describe('Everyone, or the staff of one department, area or outlet (as at each sale)');
/** `all`, or `department:<code>`, `area:<code>`, `outlet:<code>` in a querystring. */
const ScopeText = z.string().regex(/^(all|(department|area|outlet):[a-z0-9][a-z0-9-]{0,39})$/, 'all, or department:<code>, area:<code>, outlet:<code>');
const Prize = z.strictObject({ rank: z.number().int().min(1).max(1000), prize: z.string().min(1).max(200) });
const Standing = z.object({
  rank: z.number(), staffId: z.string(), name: z.string(), outlet: z.string(), score: z.number(),
  sales: z.number(), matched: z.number(), points: z.number(), prize: z.string().nullable(),
});
const ContestBody = z.strictObject({
  name: z.string().min(1).max(200),
  from: DAY.describe('First day (the sale\'s day in the operator\'s zone)'),
  to: DAY.describe('Last day (inclusive)'),
  metric: Metric,
  scope: Scope.default({ kind: 'all' }),
  prizes: z.array(Prize).max(100).default([]),
});
const ContestView = z.object({
  id: z.string(), name: z.string(), from: z.string(), to: z.string(), metric: z.string(), scope: z.object({ kind: z.string(), code: z.string().optional() }),
  prizes: z.array(z.object({ rank: z.number(), prize: z.string() })), createdBy: z.string(), createdAt: z.string(),
  status: z.enum(['upcoming', 'live', 'ended']),
});

const parseScope = (text: string): StandingScope => {
  if (text === 'all') return { kind: 'all' };
  const [kind, code] = text.split(':') as ['department' | 'area' | 'outlet', string];
  return { kind, code };
};

/** The staff of a scope ranked on a metric over the sales of a period, the first `limit`, with their prizes. */
async function standings(db: Db, p: { fromDay: string; toDay: string; scope: StandingScope; metric: StandingMetric; timeZone: string; limit: number; prizes?: Contest['prizes'] }) {
  const staff = await readStaffSales(db, p);
  const byId = new Map(staff.map((s) => [s.staffId, s]));
  const ranked = withPrizes(rankStandings(staff.map((s) => ({ staffId: s.staffId, score: standingScore(p.metric, s) }))), p.prizes ?? []);
  return ranked.slice(0, p.limit).map((r) => {
    const s = byId.get(r.staffId)!;
    return { ...r, name: s.name, outlet: s.outlet, sales: s.sales, matched: s.matched, points: s.points };
  });
}

const statusOf = (c: Contest, today: string): 'upcoming' | 'live' | 'ended' => (today < c.from ? 'upcoming' : today > c.to ? 'ended' : 'live');

/** The leaderboard and sales contests (seed 004's sales contests over seed 002's points), read live. */
export const contestRoutes = (deps: AppDeps): FastifyPluginAsyncZod => async (app) => {
  const zone = () => deps.config.OPERATOR_TIME_ZONE;
  const checkDay = (field: string, day: string) => {
    if (!isCalendarDay(day)) throw ruleBroken(field, `${day} is not a day of the calendar`);
  };

  app.get('/sales-points/leaderboard', {
    config: { roles: ['marketing', 'finance', 'staff', 'agent'] },
    schema: {
      tags: ['sales-points'],
      summary: 'Staff ranked on a metric over the sales of a period (this month so far unless given)',
      querystring: z.strictObject({
        from: DAY.optional(), to: DAY.optional(), metric: Metric.default('points'), scope: ScopeText.default('all'),
        limit: z.coerce.number().int().min(1).max(1000).default(20),
      }),
      response: { 200: z.object({ from: z.string(), to: z.string(), metric: z.string(), scope: z.string(), standings: z.array(Standing) }), 400: ErrorBody, ...rules('from and to are days of the calendar, from not after to, at most 366 days') },
    },
  }, async (request) => {
    const q = request.query;
    const today = dayAt(new Date(), zone());
    const to = q.to ?? today;
    const from = q.from ?? `${to.slice(0, 7)}-01`;
    checkDay('querystring.from', from);
    checkDay('querystring.to', to);
    if (from > to) throw ruleBroken('querystring.from', `the period starts (${from}) after it ends (${to})`);
    if (Date.parse(to) - Date.parse(from) > 366 * 86_400_000) throw ruleBroken('querystring.from', 'a leaderboard covers at most 366 days');
    const rows = await standings(deps.db, { fromDay: from, toDay: to, scope: parseScope(q.scope), metric: q.metric, timeZone: zone(), limit: q.limit });
    return { from, to, metric: q.metric, scope: q.scope, standings: rows };
  });

  app.put('/sales-points/contests/:id', {
    config: { roles: ['marketing', 'finance'] },
    schema: {
      tags: ['sales-points'],
      summary: 'A sales contest: a period, a metric, a scope and its prizes; changed freely until it starts, then only its name and prizes',
      params: z.strictObject({ id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'lower-case letters, digits and dashes, 2-63') }),
      body: ContestBody,
      response: { 200: ContestView, 201: ContestView, 400: ErrorBody, 409: ErrorBody.describe('the contest has started: its period, metric and scope stay'), ...rules('from and to are days of the calendar, from not after to, at most 366 days', 'a scope that exists', 'each prize rank once') },
    },
  }, async (request, reply) => {
    const { id } = request.params;
    const b = request.body;
    checkDay('body.from', b.from);
    checkDay('body.to', b.to);
    if (b.from > b.to) throw ruleBroken('body.from', `the contest starts (${b.from}) after it ends (${b.to})`);
    if (Date.parse(b.to) - Date.parse(b.from) > 366 * 86_400_000) throw ruleBroken('body.to', 'a contest lasts at most 366 days');
    if (new Set(b.prizes.map((p) => p.rank)).size !== b.prizes.length) throw ruleBroken('body.prizes', 'each rank once');
    if (!(await scopeExists(deps.db, b.scope))) throw ruleBroken('body.scope.code', `no ${b.scope.kind} '${(b.scope as { code: string }).code}'`);
    const before = await readContest(deps.db, id);
    const today = dayAt(new Date(), zone());
    if (before && statusOf(before, today) !== 'upcoming') {
      const same = before.from === b.from && before.to === b.to && before.metric === b.metric && JSON.stringify(before.scope) === JSON.stringify(b.scope);
      if (!same) throw conflict(`contest '${id}' started on ${before.from}: its period, metric and scope stay as they are`);
    }
    await saveContest(deps.db, { id, ...b, createdBy: before?.createdBy ?? actorText(request.actor!) });
    const saved = (await readContest(deps.db, id))!;
    return reply.status(before ? 200 : 201).send({ ...saved, status: statusOf(saved, today) });
  });

  app.get('/sales-points/contests', {
    config: { roles: ['marketing', 'finance', 'staff', 'agent'] },
    schema: {
      tags: ['sales-points'],
      summary: 'Sales contests, the latest first',
      querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).default(100), offset: z.coerce.number().int().min(0).max(1_000_000).default(0) }),
      response: { 200: z.object({ contests: z.array(ContestView), total: z.number() }), 400: ErrorBody },
    },
  }, async (request) => {
    const { contests, total } = await listContests(deps.db, request.query);
    const today = dayAt(new Date(), zone());
    return { contests: contests.map((c) => ({ ...c, status: statusOf(c, today) })), total };
  });

  app.get('/sales-points/contests/:id', {
    config: { roles: ['marketing', 'finance', 'staff', 'agent'] },
    schema: {
      tags: ['sales-points'],
      summary: 'A contest and its standings, read live (so far, while it runs)',
      params: z.strictObject({ id: z.string().min(1).max(63) }),
      querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).default(50) }),
      response: { 200: ContestView.extend({ asOf: z.string(), standings: z.array(Standing) }), 400: ErrorBody, 404: ErrorBody },
    },
  }, async (request) => {
    const contest = await readContest(deps.db, request.params.id);
    if (!contest) throw notFound(`contest '${request.params.id}'`);
    const today = dayAt(new Date(), zone());
    const status = statusOf(contest, today);
    const rows = status === 'upcoming' ? [] : await standings(deps.db, {
      fromDay: contest.from, toDay: contest.to < today ? contest.to : today, scope: contest.scope, metric: contest.metric,
      timeZone: zone(), limit: request.query.limit, prizes: contest.prizes,
    });
    return { ...contest, status, asOf: new Date().toISOString(), standings: rows };
  });
};
