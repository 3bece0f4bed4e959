import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from './errors';

/**
 * Postgres cannot store a NUL character (\u0000) in text, and the API took one anywhere: in a
 * name, a reason, an id in the path or the query. Reaching Postgres, it was a 500. It is refused
 * once here, for every route, in what validation kept (an unknown key of a strict object is
 * validation's 400 already; an unknown field of a webhook's report is dropped, unread): a 400
 * naming the field. The OpenAPI document says the same of every string (noNulInSchema). Headers
 * never carry one (Node refuses the request first).
 */

/** A key as it can be shown in a path or a message: a NUL in it spelled out. */
const shown = (key: string) => key.replaceAll('\u0000', '\\u0000');

/** The path of the first NUL in the request's path parameters, query or body (as validated), or undefined. */
export function nulPath(request: FastifyRequest): string | undefined {
  // Iterative: a deeply nested body must not exhaust the stack.
  const stack: [string, unknown][] = [['params', request.params], ['querystring', request.query], ['body', request.body]];
  while (stack.length) {
    const [path, value] = stack.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return path;
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => stack.push([`${path}.${i}`, item]));
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        if (key.includes('\u0000')) return `${path}.${shown(key)}`;
        stack.push([`${path}.${key}`, item]);
      }
    }
  }
  return undefined;
}

function refuseNul(request: FastifyRequest): void {
  const path = nulPath(request);
  if (!path) return;
  const message = 'contains a NUL character (\\u0000), which no text may hold';
  throw new HttpError(400, 'validation', `${path}: ${message}`, [{ path, message }]);
}

/**
 * Every route added after this refuses a NUL anywhere in its validated input, before its handler:
 * after the token check, the audit log's record of the request, and a webhook's signature (so an
 * unsigned request still learns nothing but its 401).
 */
export function refuseNulBytes(app: FastifyInstance): void {
  app.addHook('preHandler', async (request) => refuseNul(request));
}

type JsonSchema = Record<string, unknown>;
const NO_NUL = '^[^\\u0000]*$';

/**
 * The JSON schema of a request part, saying that no string holds a NUL: a pattern on every string
 * that has none (the patterns we write never match one; domain/text.ts). Leaves what is under a
 * `not` alone, which would turn the meaning round.
 */
export function noNulInSchema(schema: unknown): void {
  const stack: unknown[] = [schema];
  while (stack.length) {
    const node = stack.pop();
    if (Array.isArray(node)) { stack.push(...node); continue; }
    if (node === null || typeof node !== 'object') continue;
    const s = node as JsonSchema;
    const types = [s.type].flat();
    if (types.includes('string') && s.pattern === undefined && s.enum === undefined && s.const === undefined) s.pattern = NO_NUL;
    for (const key of ['items', 'additionalProperties', 'anyOf', 'oneOf', 'allOf']) if (s[key] !== undefined) stack.push(s[key]);
    if (s.properties && typeof s.properties === 'object') stack.push(...Object.values(s.properties as JsonSchema));
  }
}
