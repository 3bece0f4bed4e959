import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';

/**
 * A browser's bearer token kept in a cookie, for pages a browser opens by itself (the Temporal
 * UI's calls to the codec server, the dashboard): the token is checked once like any other (the
 * route that keeps it declares its roles, api/access/auth.ts), then the cookie carries it back on
 * the requests it `applies` to, where api/access/auth.ts checks it again, roles and expiry alike.
 */
export interface SessionCookie {
  name: string;
  /** Only requests under this path get it back. */
  path: string;
}

/**
 * In a scope of its own (no fastify-plugin): @fastify/cookie, and the cookie's token as the bearer
 * token of a request that has none in a header (a header wins) and that `applies` says may use it.
 * Runs before the routes' own checks.
 */
export async function installSessionCookie(scope: FastifyInstance, session: SessionCookie, applies: (request: FastifyRequest) => boolean): Promise<void> {
  await scope.register(cookie);
  scope.addHook('onRequest', async (request) => {
    const token = request.cookies[session.name];
    if (token && !request.headers.authorization && applies(request)) request.headers.authorization = `Bearer ${token}`;
  });
}

/** The bearer token a request was let in with (api/access/auth.ts checked it), and when it expires. */
export function checkedToken(request: FastifyRequest): { token: string; expires: Date | undefined } {
  return { token: request.token?.value ?? '', expires: request.token?.expires };
}

/**
 * Keeps the request's checked token in the cookie until the token expires, and says whose it is
 * and until when. HttpOnly: page scripts never read it; Path: only those pages get it; SameSite
 * Strict: only pages of this site send it (no other site's form or link can act with it).
 */
export function keepTokenInCookie(request: FastifyRequest, reply: FastifyReply, session: SessionCookie): { sub: string; expiresAt: string | null } {
  const { token, expires } = checkedToken(request);
  reply.setCookie(session.name, token, {
    path: session.path, httpOnly: true, sameSite: 'strict', secure: request.protocol === 'https', ...(expires ? { expires } : {}),
  });
  return { sub: request.actor!.sub, expiresAt: expires?.toISOString() ?? null };
}

/** Forgets the cookie (a token that no longer passes: expired, or its roles taken away). */
export function dropCookie(reply: FastifyReply, session: SessionCookie): void {
  reply.clearCookie(session.name, { path: session.path, httpOnly: true, sameSite: 'strict' });
}

/**
 * A request as the API's log shows it: a token given in the query (the dashboard's wall-screen
 * link) is not written to any log.
 */
export const loggedRequest = (request: FastifyRequest) => ({
  method: request.method,
  url: request.url.replace(/([?&]token=)[^&#]*/gi, '$1[hidden]'),
  host: request.host,
  remoteAddress: request.ip,
  remotePort: request.socket?.remotePort,
});
