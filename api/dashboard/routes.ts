import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Role } from '../../domain/access/roles';
import type { AppDeps } from '../deps';
import { dropCookie, installSessionCookie, keepTokenInCookie, type SessionCookie } from '../access/session-cookie';
import { readDashboard, type RoiSource } from './data';
import { loginPage } from './login';
import { dashboardPage } from './page';

/** Who may see the dashboard (admin always may, and ops reads it anyway; ops may also sign in to it). */
export const DASHBOARD_ROLES: readonly Role[] = ['marketing', 'finance', 'scheduler', 'qa', 'ops'];

/** The dashboard's cookie: the token it was signed in with, sent back to /dashboard only. */
export const DASHBOARD_SESSION: SessionCookie = { name: 'dashboard_session', path: '/dashboard' };

const HTML = 'text/html; charset=utf-8';
const isPageRequest = (request: FastifyRequest) => request.method === 'GET' || request.method === 'HEAD';

/** A page that no cache keeps and that sends no Referer on (a wall-screen link's token is in its address). */
const page = (reply: FastifyReply, status: number, html: string) =>
  reply.status(status).type(HTML).header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').send(html);

/**
 * `GET /dashboard`: a page for people, rendered on the server (charts as SVG by ECharts, tables of
 * the same figures, no single-page app), signed in with the API's own tokens and roles. A browser
 * has no header to send a token in, so:
 * - the sign-in form sends it once to `POST /dashboard/session`, which keeps it in an HttpOnly,
 *   SameSite=Strict cookie of /dashboard (api/access/session-cookie.ts, as the codec server does);
 * - a wall screen opens `/dashboard?token=…` once: the same cookie, then a redirect to /dashboard
 *   that takes the token out of the address (and api/main.ts keeps it out of the log);
 * - without a token, or with one that no longer passes (expired, a role it lacks), the page is
 *   the sign-in form with the reason (401 or 403).
 * The token is checked by api/access/auth.ts as on every route, against the roles declared here.
 * `roi` feeds the "ROI per campaign" section (the ROI module of GET /reports/roi unless given).
 */
export const dashboardRoutes = (deps: AppDeps, opts: { roi?: RoiSource } = {}): FastifyPluginAsync => async (parent) => {
  await parent.register(async (scope) => {
    // The wall screen's link: a token in the query is the bearer token of that one request.
    scope.addHook('onRequest', async (request) => {
      const token = (request.query as { token?: unknown }).token;
      if (typeof token === 'string' && token && !request.headers.authorization && isPageRequest(request)) request.headers.authorization = `Bearer ${token}`;
    });
    // Then the cookie's, on the page only (the session route takes a token given on purpose).
    await installSessionCookie(scope, DASHBOARD_SESSION, isPageRequest);

    // A page request that does not pass gets the sign-in form, with the reason when it brought a
    // token; any other failure (a sign-in's, a bad query, a rate limit) the API's JSON answer.
    scope.setErrorHandler(async (err: FastifyError, request, reply) => {
      const status = err.statusCode ?? 500;
      if (!isPageRequest(request) || (status !== 401 && status !== 403)) throw err;
      if (status === 401) dropCookie(reply, DASHBOARD_SESSION);
      const message = !request.headers.authorization ? undefined
        : status === 401 ? `That token does not sign you in: ${err.message}.` : `That token may not see the dashboard: ${err.message}.`;
      return page(reply, status, loginPage(message));
    });

    const app = scope.withTypeProvider<ZodTypeProvider>();
    app.get('/dashboard', {
      config: {
        roles: DASHBOARD_ROLES,
        // a page for a browser: its answers documented as HTML (api/content-bodies.ts)
        htmlAnswers: {
          200: 'The dashboard page (HTML)',
          401: 'The sign-in form (HTML), with the reason when the request brought a token',
          403: 'The sign-in form (HTML): the token\'s roles may not see the dashboard',
        },
        redirects: 'A wall screen\'s link: the token is kept in the dashboard\'s cookie, and the browser sent on to /dashboard without it',
      },
      schema: {
        tags: ['dashboard'],
        summary: 'The dashboard: running campaigns, calls and sales per day, agents, ROI, held deliveries, backorders, sales points, hotline marketing',
        querystring: z.object({ token: z.string().max(8_192).optional().describe('a wall screen\'s link: kept in the cookie, then redirected away') }),
      },
    }, async (request, reply) => {
      if (request.query.token !== undefined) {
        keepTokenInCookie(request, reply, DASHBOARD_SESSION);
        return reply.status(303).header('location', 'dashboard').header('referrer-policy', 'no-referrer').send();
      }
      return page(reply, 200, dashboardPage(await readDashboard(deps.db, deps.config.OPERATOR_TIME_ZONE, opts.roi), request.actor!));
    });

    app.post('/dashboard/session', {
      config: { roles: DASHBOARD_ROLES },
      schema: {
        tags: ['dashboard'],
        summary: "The dashboard's sign-in: keeps the caller's token in the dashboard's cookie (HttpOnly, SameSite=Strict, until it expires)",
        response: { 200: z.object({ sub: z.string(), expiresAt: z.string().nullable() }) },
      },
    }, async (request, reply) => keepTokenInCookie(request, reply, DASHBOARD_SESSION));
  });
};
