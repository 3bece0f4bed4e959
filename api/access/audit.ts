import { z } from 'zod';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { isRead } from '../../domain/access/roles';
import { AUDIT_ENTRIES, RECORD_AUDIT, type AuditEntryRow } from '../../db/access/audit-sql';
import type { AppDeps } from '../deps';
import { HttpError } from '../errors';
import { IsoDateTimeSchema } from '../../domain/datetime';

declare module 'fastify' {
  interface FastifyRequest {
    /** What the audit log records of the answer (set as it is sent). */
    audit?: { targets: string[]; outcome: string };
  }
}

/**
 * A write by a person: the token was checked (webhooks are recorded by their senders' reports).
 * A request refused for being one too many (429) is not: a flood would fill the log.
 */
const audited = (request: FastifyRequest, status?: number) =>
  !isRead(request.method) && !request.routeOptions.config.changesNothing && request.principal !== undefined && status !== 429;

/** The ids a request names: its path's parameters. */
const pathTargets = (request: FastifyRequest) =>
  Object.values((request.params ?? {}) as Record<string, unknown>).filter((v): v is string => typeof v === 'string' && v.length > 0);

/**
 * The append-only audit log of every write a person makes through the API: who (the token's
 * subject and the role it acted in), what (method, route, the ids it names and creates), when,
 * the request id (also in the answer's `x-request-id`), and how it was answered. The request is
 * recorded before the route acts (a write that cannot be recorded is refused, 503, and nothing
 * happens); the answer after it is sent. A 401 has no principal to record; a 403 is recorded as
 * refused.
 */
export function installAudit(app: FastifyInstance, db: AppDeps['db']): void {
  const record = (request: FastifyRequest, phase: 'requested' | 'answered', status: number | null, targets: string[], outcome: string | null) => {
    const actor = request.actor ?? { sub: request.principal!.sub, role: request.principal!.roles[0]! };
    // What the request named goes in as text, and Postgres takes no NUL in text (api/nul-bytes.ts
    // refuses one once the request is recorded; an answer may quote one): recorded as U+FFFD, so
    // the refusal is too.
    const text = (s: string) => s.replaceAll('\u0000', '\uFFFD');
    return db.query(RECORD_AUDIT, [request.id, phase, text(actor.sub), actor.role, request.method, request.routeOptions.url ?? request.url,
      targets.map(text), status, outcome === null ? null : text(outcome)]);
  };
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('preValidation', async (request) => {
    if (!audited(request)) return;
    try {
      await record(request, 'requested', null, pathTargets(request), null);
    } catch (err) {
      request.log.error({ err }, 'audit log unavailable');
      throw new HttpError(503, 'audit-unavailable', 'the audit log cannot record this request now, so nothing was done; retry');
    }
  });
  app.addHook('onSend', async (request, reply, payload) => {
    if (!audited(request, reply.statusCode)) return payload;
    const created = String(reply.getHeader('location') ?? '').split('/').filter(Boolean).at(-1);
    const status = reply.statusCode;
    let outcome = 'ok';
    if (status >= 400) {
      let message = '';
      try {
        message = (JSON.parse(String(payload)) as { message?: string }).message ?? '';
      } catch { /* not our JSON error body */ }
      outcome = `${status >= 500 ? 'failed' : 'refused'}${message ? `: ${message.slice(0, 500)}` : ''}`;
    }
    request.audit = { targets: [...new Set([...pathTargets(request), ...(created ? [decodeURIComponent(created)] : [])])], outcome };
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    if (!audited(request, reply.statusCode)) return;
    const { targets, outcome } = request.audit ?? { targets: pathTargets(request), outcome: 'unknown' };
    // Sent already: a failure here can only be logged (the request row shows it was asked).
    await record(request, 'answered', reply.statusCode, targets, outcome).catch((err: unknown) => request.log.error({ err }, 'audit answer not recorded'));
  });
}

const Entry = z.object({
  id: z.string(),
  requestId: z.string(),
  at: z.string(),
  actor: z.object({ sub: z.string(), role: z.string() }),
  method: z.string(),
  route: z.string(),
  targets: z.array(z.string()),
  status: z.number().int().nullable().describe('null: no answer was recorded (the API stopped while it worked)'),
  outcome: z.string(),
  answeredAt: z.string().nullable(),
});

/** `GET /audit`: the log, newest first, for ops and admin. */
export const auditRoutes = (deps: AppDeps): FastifyPluginAsyncZod => async (app) => {
  app.get('/audit', {
    config: { roles: ['ops'] },
    schema: {
      tags: ['ops'],
      summary: 'Who did what through the API: every write, newest first, by target id, actor and period',
      querystring: z.strictObject({
        target: z.string().min(1).max(200).optional().describe('an id the request named or created (campaign, order, lead, job …)'),
        actor: z.string().min(1).max(200).optional().describe("a token's subject"),
        from: IsoDateTimeSchema.optional(),
        to: IsoDateTimeSchema.optional(),
        before: z.string().regex(/^\d{1,18}$/, 'an entry id').optional().describe('the last entry id of the previous page'),
        limit: z.coerce.number().int().min(1).max(500).default(100),
      }),
      response: { 200: z.object({ entries: z.array(Entry), next: z.string().nullable() }) },
    },
  }, async (request) => {
    const q = request.query;
    const { rows } = await deps.db.query<AuditEntryRow>(AUDIT_ENTRIES, [q.target ?? null, q.actor ?? null, q.from ?? null, q.to ?? null, q.before ?? null, q.limit]);
    return {
      entries: rows.map((r) => ({
        id: r.id, requestId: r.request_id, at: r.at.toISOString(), actor: { sub: r.actor_sub, role: r.actor_role },
        method: r.method, route: r.route, targets: r.targets, status: r.status,
        outcome: r.outcome ?? 'unknown: the API stopped before it answered', answeredAt: r.answered_at?.toISOString() ?? null,
      })),
      next: rows.length === q.limit ? rows.at(-1)!.id : null,
    };
  });
};
