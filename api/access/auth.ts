import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import fastifyJwt, { type FastifyJWTOptions } from '@fastify/jwt';
import buildGetJwks from 'get-jwks';
import { actingRole, allowedRoles, principalOf, type Actor, type Principal, type Role } from '../../domain/access/roles';
import type { AppDeps } from '../deps';
import { ErrorBody, HttpError } from '../errors';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The roles that may call the route, declared beside it (admin always may, ops may read);
     * every route declares them, or is `public`, or is a webhook checked by its signature.
     */
    roles?: readonly Role[];
    public?: true;
  }
  interface FastifyRequest {
    /** Set once the bearer token was checked (routes with roles). */
    principal?: Principal;
    /** The token's subject and the role it acts in on this route. */
    actor?: Actor;
  }
}

/** A route that takes no bearer token: declared public, or a webhook its sender signs. */
const tokenFree = (route: RouteOptions) => route.config?.public === true || route.config?.signedBy !== undefined;

/** The signing key or key set of the configuration, as @fastify/jwt takes it. */
function jwtOptions(config: AppDeps['config']): FastifyJWTOptions {
  const verify = { ...(config.AUTH_JWT_AUDIENCE ? { allowedAud: config.AUTH_JWT_AUDIENCE } : {}) };
  if (config.AUTH_JWT_SECRET) return { secret: config.AUTH_JWT_SECRET, verify: { ...verify, algorithms: ['HS256'] } };
  if (config.AUTH_JWT_PUBLIC_KEY) {
    return { secret: { public: config.AUTH_JWT_PUBLIC_KEY, private: '' }, verify: { ...verify, algorithms: ['RS256', 'ES256', 'EdDSA'] } };
  }
  if (config.AUTH_JWKS_ISSUER) {
    const issuer = config.AUTH_JWKS_ISSUER;
    const jwks = buildGetJwks({ issuersWhitelist: [issuer], ttl: 10 * 60_000 });
    return {
      decode: { complete: true },
      secret: (_request: FastifyRequest, token: { header: { kid?: string; alg?: string }; payload: { iss?: string } }) =>
        jwks.getPublicKey({ kid: token.header.kid, alg: token.header.alg, domain: issuer }),
      verify: { ...verify, algorithms: ['RS256', 'ES256', 'EdDSA'], allowedIss: issuer },
    } as FastifyJWTOptions;
  }
  throw new Error('no way to check tokens: set AUTH_JWT_SECRET, AUTH_JWT_PUBLIC_KEY or AUTH_JWKS_ISSUER (docs/security.md)');
}

const unauthorized = (message: string) => new HttpError(401, 'unauthorized', message);

/** Checks the bearer token and the role: 401 without a valid token, 403 without one of the roles. */
function guard(allowed: Role[]) {
  return async (request: FastifyRequest): Promise<void> => {
    let claims: unknown;
    try {
      claims = await request.jwtVerify();
    } catch (err) {
      throw unauthorized((err as Error).message);
    }
    const principal = principalOf(claims);
    if (typeof principal === 'string') throw unauthorized(principal);
    request.principal = principal;
    const role = actingRole(principal, allowed);
    if (!role) throw new HttpError(403, 'forbidden', `${request.method} ${request.routeOptions.url} needs one of the roles ${allowed.join(', ')}; ${principal.sub} has ${principal.roles.join(', ')}`);
    request.actor = { sub: principal.sub, role };
  };
}

/**
 * Who may do what, for every route added after this: the token is checked first of all (a request
 * without one gets 401 before its body is even read), and the route's declared roles decide
 * (403). A route that declares neither roles nor `public` nor a signing sender stops the API from
 * starting, so no route is ever open by mistake. The OpenAPI document shows the same: the
 * `bearerAuth` scheme, the roles (`x-roles`) and the 401/403/429 answers of each operation.
 */
export async function installAccess(app: FastifyInstance, config: AppDeps['config']): Promise<void> {
  await app.register(fastifyJwt, jwtOptions(config));
  app.addHook('onRoute', (route) => {
    if (tokenFree(route)) return;
    const method = Array.isArray(route.method) ? route.method[0]! : route.method;
    const declared = route.config?.roles;
    if (!declared?.length) throw new Error(`${method} ${route.url} declares no roles (config.roles), and is neither public nor a signed webhook`);
    const allowed = allowedRoles(declared, method);
    route.onRequest = [guard(allowed), ...(route.onRequest ? [route.onRequest].flat() : [])];
    // A new object: a GET and its HEAD twin share one schema, which must not be changed twice.
    const schema = route.schema ?? {};
    route.schema = {
      ...schema,
      description: `Roles: ${allowed.join(', ')}.${schema.description ? `\n\n${schema.description}` : ''}`,
      security: [{ bearerAuth: [] }],
      'x-roles': allowed,
      response: { ...(schema.response as object | undefined), 401: ErrorBody, 403: ErrorBody, 429: ErrorBody },
    } as typeof schema;
  });
}
