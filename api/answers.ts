import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { ErrorBody } from './errors';
import { isRead } from '../domain/access/roles';

/** Methods whose requests carry a body Fastify parses (JSON, else 415; too large, 413). */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const BAD_INPUT = ErrorBody.describe('The request breaks its schema (a missing, unknown or ill-typed field, a value out of range, '
  + 'a NUL character in text, malformed JSON): `issues` names each field at fault by its path.');
const NOT_FOUND = ErrorBody.describe('The path names something we do not have.');
const TOO_LARGE = ErrorBody.describe('The body is larger than 256 KB.');
const NOT_JSON = ErrorBody.describe('The body is not JSON (Content-Type: application/json).');
const UNAVAILABLE = ErrorBody.describe('The audit log or Temporal cannot take the request now; nothing was done, retry.');

/**
 * The answers an operation can give because of its shape, documented once for every route added
 * after this: 400 when it takes parameters, a query, headers or a body; 404 when its path names
 * something; 413 and 415 when it takes a body; 503 when it writes (the audit log refuses what it
 * cannot record) or hands a report to Temporal. 401, 403 and 429 come with the token check
 * (api/access/auth.ts); what only one route answers (its 409, its rules' 422, a 204) stays on the
 * route, and wins over these when both name a status.
 */
export function documentAnswers(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const schema = route.schema;
    if (!schema || schema.hide) return;
    const methods = [route.method].flat();
    const takesBody = methods.some((m) => BODY_METHODS.has(m));
    const answers: Record<number, z.ZodType> = {};
    if (schema.params || schema.querystring || schema.headers || schema.body || takesBody) answers[400] = BAD_INPUT;
    if (schema.params) answers[404] = NOT_FOUND;
    if (takesBody) Object.assign(answers, { 413: TOO_LARGE, 415: NOT_JSON });
    if (methods.some((m) => !isRead(m))) answers[503] = UNAVAILABLE;
    // A new object: a GET and its HEAD twin share one schema.
    route.schema = { ...schema, response: { ...answers, ...(schema.response as object | undefined) } };
  });
}
