import { z } from 'zod';
import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ServiceError, WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { isRuleIssue } from '../domain/rule';

/** An error a route throws to answer a client with a status and a reason, never a 500. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly issues?: { path: string; message: string }[],
  ) {
    super(message);
  }
}

/** The body of every error answer (4xx, 5xx): a code, a reason, and the fields at fault when there are. */
export const ErrorBody = z.object({
  error: z.string(),
  message: z.string(),
  /** 400 and 422: each field at fault, by its path (`body.segment.maxLeads`), and why. */
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
}).passthrough();

export const notFound = (what: string) => new HttpError(404, 'not-found', `${what} not found`);
export const conflict = (message: string) => new HttpError(409, 'conflict', message);
/**
 * A well-formed request that breaks a rule its schema cannot state (RFC 9110's 422): one across
 * fields, or against data in Postgres (a region or team we do not have), or the caller's role
 * (domain/rule.ts). Each route lists its rules in the OpenAPI document (`rules()`).
 */
export const ruleBroken = (path: string, message: string) =>
  new HttpError(422, 'rule', `${path}: ${message}`, [{ path, message }]);

/** A route's 422, documented with the rules that give it. */
export const rules = (...which: readonly string[]) => ({
  422: ErrorBody.describe(`Well-formed, but breaks a rule: ${which.join('; ')}. The body names each field at fault (issues).`),
});

/** A refused Temporal update is the workflow saying no, with its reason: a 409, not a 500. */
export function refusalOf(err: unknown, what: string): unknown {
  if (err instanceof WorkflowUpdateFailedError) return conflict((err.cause as Error | undefined)?.message ?? err.message);
  if (err instanceof WorkflowNotFoundError) return conflict(`${what} is closed`);
  // The workflow closed between the route's look and the update (a second cancel racing the
  // first one's end, say): the server answers that the execution has completed.
  if (err instanceof ServiceError && /already (been )?completed|workflow execution.*(completed|closed)/i.test(`${(err.cause as { details?: string } | undefined)?.details ?? ''} ${err.message}`)) {
    return conflict(`${what} is closed`);
  }
  // Temporal did not take it now (a busy server, an update aborted while the workflow's task was
  // retried): nothing is known to have happened, so the caller retries.
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError || err instanceof ServiceError) {
    return new HttpError(503, 'unavailable', `${what} could not take the request now; retry`);
  }
  return err;
}

/**
 * The one error handler: validation failures name the field path, a client's mistakes get a 4xx
 * with the reason, and only our own faults answer 5xx (logged, without internals in the body).
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | HttpError, request, reply) => {
    if (err instanceof HttpError) {
      return reply.status(err.statusCode).send({ error: err.code, message: err.message, ...(err.issues ? { issues: err.issues } : {}) });
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const where = err.validationContext ?? 'body';
      const issues = err.validation.map((v) => ({
        path: [where, ...v.instancePath.split('/').filter(Boolean)].join('.'),
        message: v.message ?? 'invalid',
      }));
      // The schema's own checks are a 400; only rules beyond it broken (and the shape right), a 422.
      const onlyRules = err.validation.every((v) => isRuleIssue({ code: v.keyword, params: (v.params as { params?: unknown }).params }));
      return reply.status(onlyRules ? 422 : 400).send({
        error: onlyRules ? 'rule' : 'validation',
        message: issues.map((i) => `${i.path}: ${i.message}`).join('; '),
        issues,
      });
    }
    // Temporal did not answer (down, overloaded): nothing is known to have happened, so the caller retries.
    if (err instanceof ServiceError) {
      request.log.warn({ err }, 'Temporal unavailable');
      return reply.status(503).send({ error: 'unavailable', message: 'Temporal cannot take the request now; retry' });
    }
    const status = err.statusCode ?? 500;
    if (status < 500) {
      // Fastify's own client errors: malformed JSON, wrong content type, body too large, …
      return reply.status(status).send({ error: err.code ?? 'bad-request', message: err.message });
    }
    request.log.error({ err }, 'request failed');
    // With logging off (tests, benches) a 500 would leave no trace at all: it is always a bug of ours.
    if (!request.log.level || request.log.level === 'silent') console.error(`${request.method} ${request.url} answered 500:`, err);
    return reply.status(status).send({ error: 'internal', message: 'internal error; see the API log' });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ error: 'not-found', message: `no route ${request.method} ${request.url}` }),
  );
}
