import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createVerifier, TokenError, type DecodedJwt } from 'fast-jwt';
import buildGetJwks from 'get-jwks';
import { actingRole, allowedRoles, principalOf, type Actor, type Principal, type Role } from '../../domain/access/roles';
import type { AppDeps } from '../deps';
import { ErrorBody, HttpError } from '../errors';
import type { Limiter } from './rate-limit';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The roles that may call the route, declared beside it (admin always may, ops may read);
     * every route declares them, or is `public`, or is a webhook checked by its signature.
     */
    roles?: readonly Role[];
    public?: true;
    /** A POST that only reads (the codec server's): audited like a read, that is not at all. */
    changesNothing?: true;
  }
  interface FastifyRequest {
    /** Set once the bearer token was checked (routes with roles). */
    principal?: Principal;
    /** The bearer token the request was let in with, as checked, and when it expires (its exp). */
    token?: { value: string; expires: Date | undefined };
    /** The token's subject and the role it acts in on this route. */
    actor?: Actor;
    /** A webhook's signature checked out (api/webhook-signatures.ts). */
    signatureVerified?: boolean;
  }
}

/** How often an unknown key id may make us fetch the issuer's key set again (a flood of made-up ids must not). */
const JWKS_MISS_EVERY_MS = 60_000;

/** How many verified tokens a process remembers (the least recently used go first). */
const VERIFIED_TOKENS = 10_000;

/** Checks a token: its claims, or throws (a TokenError, or IdentityProviderDown). */
type TokenCheck = (token: string) => unknown;

/**
 * The token checker of the configuration (fast-jwt): its signing key or key set; every token must
 * expire. Verified tokens are cached (each until its exp at the latest, a minute at most, keyed by
 * the token's hash), and the cache is looked up first: a request whose token was seen costs a hash
 * and a lookup. (Through @fastify/jwt each request's token was decoded, and its options merged,
 * before that lookup: a tenth of a busy API's CPU, docs/benchmarks.md, recommendations.)
 */
function tokenCheck(config: AppDeps['config']): TokenCheck {
  const options = {
    requiredClaims: ['exp'], cache: VERIFIED_TOKENS, cacheTTL: 60_000,
    ...(config.AUTH_JWT_AUDIENCE ? { allowedAud: config.AUTH_JWT_AUDIENCE } : {}),
  };
  if (config.AUTH_JWT_SECRET) return createVerifier({ ...options, key: config.AUTH_JWT_SECRET, algorithms: ['HS256'] });
  if (config.AUTH_JWT_PUBLIC_KEY) return createVerifier({ ...options, key: config.AUTH_JWT_PUBLIC_KEY, algorithms: ['RS256', 'ES256', 'EdDSA'] });
  if (config.AUTH_JWKS_ISSUER) {
    const issuer = config.AUTH_JWKS_ISSUER;
    const jwks = buildGetJwks({ issuersWhitelist: [issuer], ttl: 10 * 60_000 });
    const known = new Set<string>();
    let lastMiss = 0;
    const key = async ({ header }: DecodedJwt): Promise<string> => {
      const id = `${header.alg}:${header.kid}`;
      if (!known.has(id) && Date.now() - lastMiss < JWKS_MISS_EVERY_MS) throw new Error(`no key '${header.kid}' in the issuer's key set`);
      let found: string;
      try {
        found = await jwks.getPublicKey({ kid: header.kid, alg: header.alg, domain: issuer });
      } catch (err) {
        const code = (err as { code?: string }).code;
        // The token's fault (no such key): a 401, and no new fetch for a minute. Anything else (no
        // answer, a bad answer) is the provider's.
        if (code === 'JWK_NOT_FOUND') lastMiss = Date.now();
        if (code === 'JWK_NOT_FOUND' || code === 'DOMAIN_NOT_ALLOWED') throw err;
        throw new IdentityProviderDown((err as Error).message);
      }
      known.add(id);
      return found;
    };
    return createVerifier({ ...options, key, algorithms: ['RS256', 'ES256', 'EdDSA'], allowedIss: issuer });
  }
  throw new Error('no way to check tokens: set AUTH_JWT_SECRET, AUTH_JWT_PUBLIC_KEY or AUTH_JWKS_ISSUER (docs/security.md)');
}

const unauthorized = (message: string) => new HttpError(401, 'unauthorized', message);

/** The identity provider's key set could not be had (it does not answer): not the token's fault. */
class IdentityProviderDown extends Error {}

/** The token of an `Authorization: Bearer <token>` header (RFC 6750's form), or undefined. */
function bearerToken(request: FastifyRequest): string | undefined {
  return /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(request.headers.authorization ?? '')?.[1];
}

/** Checks the bearer token: 401 without a valid one; sets who calls. */
function authenticateWith(check: TokenCheck) {
  return async (request: FastifyRequest): Promise<void> => {
    const token = bearerToken(request);
    if (!token) throw unauthorized('no bearer token: send the header Authorization: Bearer <token>');
    let claims: unknown;
    try {
      claims = await check(token);
    } catch (err) {
      const cause = err instanceof TokenError ? (err as TokenError & { originalError?: unknown }).originalError : err;
      if (cause instanceof IdentityProviderDown) throw new HttpError(503, 'unavailable', 'the identity provider\'s keys cannot be fetched now; retry');
      throw unauthorized(`the token is refused: ${(cause instanceof Error ? cause : (err as Error)).message}`);
    }
    const principal = principalOf(claims);
    if (typeof principal === 'string') throw unauthorized(principal);
    request.principal = principal;
    const exp = (claims as { exp?: unknown }).exp;
    request.token = { value: token, expires: typeof exp === 'number' ? new Date(exp * 1000) : undefined };
  };
}

/** Checks the role: 403 without one of the route's; sets the role the caller acts in. */
function authorize(allowed: Role[]) {
  return async (request: FastifyRequest): Promise<void> => {
    const principal = request.principal!;
    const role = actingRole(principal, allowed);
    if (!role) throw new HttpError(403, 'forbidden', `${request.method} ${request.routeOptions.url} needs one of the roles ${allowed.join(', ')}; ${principal.sub} has ${principal.roles.join(', ')}`);
    request.actor = { sub: principal.sub, role };
  };
}

/** A signed route's report reaches its handler only once api/webhook-signatures.ts verified it (a route declared signed outside it would be open). */
async function signatureChecked(request: FastifyRequest): Promise<void> {
  if (!request.signatureVerified) throw unauthorized('this route takes only signed reports, and none was verified');
}

/**
 * Who may do what, for every route added after this: the token is checked first of all (a request
 * without one gets 401 before its body is even read), counted against its address's and then its
 * principal's requests of the minute, and the route's declared roles decide (403). A route that
 * declares neither roles nor `public` nor a signing sender stops the API from starting, so no
 * route is ever open by mistake; nor does one that mixes reads and writes under one declaration.
 * The OpenAPI document shows the same: the `bearerAuth` scheme, the roles (`x-roles`) and the
 * 401/403/429 answers of each operation.
 */
export async function installAccess(app: FastifyInstance, config: AppDeps['config'], limits: { byAddress: Limiter; byPrincipal: Limiter }): Promise<void> {
  const authenticate = authenticateWith(tokenCheck(config));
  app.addHook('onRoute', (route) => {
    if (route.config?.public === true) return;
    // A CORS preflight (@fastify/cors adds these, around the codec server): browsers send it without
    // credentials, by the standard, and it answers headers only.
    if ([route.method].flat().every((m) => m === 'OPTIONS')) return;
    if (route.config?.signedBy !== undefined) {
      route.preHandler = [signatureChecked, ...(route.preHandler ? [route.preHandler].flat() : [])];
      return;
    }
    const methods = [route.method].flat();
    const declared = route.config?.roles;
    if (!declared?.length) throw new Error(`${methods.join(',')} ${route.url} declares no roles (config.roles), and is neither public nor a signed webhook`);
    const allowed = allowedRoles(declared, methods[0]!);
    if (methods.some((m) => allowedRoles(declared, m).join() !== allowed.join())) {
      throw new Error(`${methods.join(',')} ${route.url}: reads and writes under one declaration of roles; declare them apart`);
    }
    route.onRequest = [limits.byAddress, authenticate, limits.byPrincipal, authorize(allowed), ...(route.onRequest ? [route.onRequest].flat() : [])];
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
