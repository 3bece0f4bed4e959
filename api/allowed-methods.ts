import type { FastifyInstance } from 'fastify';

/** A route's path as a pattern over the request's path: `:name` is one segment, `*` the rest. */
function pathPattern(url: string): RegExp {
  const source = url.split('/').map((segment) => {
    if (segment.startsWith(':')) return '[^/]+';
    if (segment === '*') return '.*';
    return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }).join('/');
  return new RegExp(`^${source}$`);
}

/**
 * A method a known path does not take is answered 405 with `Allow` (RFC 9110), not 404: the path
 * exists, the method does not. Checked first of all, on the not-found route, before Fastify reads
 * a body (a QUERY without a Content-Type was a 400) and before any token check (there is no route
 * whose roles could decide). The OpenAPI document lists the methods each path takes; it does not
 * list this answer.
 */
export function answerUnknownMethods(app: FastifyInstance): void {
  const paths = new Map<string, { pattern: RegExp; methods: Set<string> }>();
  app.addHook('onRoute', (route) => {
    const known = paths.get(route.url) ?? { pattern: pathPattern(route.url), methods: new Set<string>() };
    for (const method of [route.method].flat()) known.methods.add(method);
    paths.set(route.url, known);
  });
  app.addHook('onRequest', async (request, reply) => {
    if (!request.is404) return;
    const path = request.url.split('?')[0]!;
    const allowed = new Set<string>();
    for (const { pattern, methods } of paths.values()) if (pattern.test(path)) methods.forEach((m) => allowed.add(m));
    if (allowed.size === 0) return; // an unknown path: 404
    const allow = [...allowed].sort().join(', ');
    return reply.status(405).header('allow', allow)
      .send({ error: 'method-not-allowed', message: `${request.method} is not allowed here; this path takes ${allow}` });
  });
}
