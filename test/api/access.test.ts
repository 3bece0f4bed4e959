import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { createSigner } from 'fast-jwt';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { loadConfig } from '../../infra/config';
import { installErrorHandler } from '../../api/errors';
import { ROLES, type Role } from '../../domain/access/roles';
import { installAccess } from '../../api/access/auth';
import { installRateLimit } from '../../api/access/rate-limit';
import { devToken } from '../../scripts/stack/tokens';
import { startHarness, type Harness } from '../support/harness';

/**
 * Who may do what, tried on every route of the OpenAPI document (so a new route is tried as soon
 * as it exists): no token and a bad one get 401, a role the route does not name 403, and every
 * role it names gets past the check (whatever the handler then answers for made-up ids).
 */
let h: Harness;
beforeAll(async () => { h = await startHarness({ rateLimitPerMinute: 5 }); });
afterAll(async () => { await h?.close(); });

interface Operation { 'x-roles'?: Role[]; security?: unknown[] }
type Doc = { paths: Record<string, Record<string, Operation>> };

/** Routes that take no bearer token: the health check and the webhooks, which are signed instead. */
const TOKEN_FREE = new Set(['GET /health', 'POST /webhooks/dialer', 'POST /webhooks/courier', 'POST /webhooks/dialer/inbound']);

const routes = async () => {
  const doc = (await h.app.inject({ method: 'GET', url: '/docs/json' })).json() as Doc;
  return Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({
    method: method.toUpperCase() as 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    // made-up ids: the check comes before the handler looks anything up
    url: path.replace(/\{leadId\}/g, '1').replace(/\{(\w+)\}/g, 'no-such-$1'),
    key: `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`,
    roles: op['x-roles'],
    security: op.security,
  })));
};

// A subject of its own per role check, so the 5 requests a minute of this file's harness never answer.
let n = 0;
const as = (token: string | undefined) => (r: { method: string; url: string }) => h.app.inject({
  method: r.method as 'GET', url: r.url, payload: r.method === 'GET' ? undefined : {},
  headers: token === undefined ? {} : { authorization: token },
});

describe('who may do what', () => {
  it('every route of the document declares its roles or is one of the few without a token', async () => {
    const all = await routes();
    expect(all.length).toBeGreaterThan(25);
    for (const r of all) {
      if (TOKEN_FREE.has(r.key)) expect(r.roles, r.key).toBeUndefined();
      else {
        expect(r.roles?.length, `${r.key} declares no roles`).toBeGreaterThan(0);
        expect(r.roles, r.key).toContain('admin');
        expect(r.security, r.key).toEqual([{ bearerAuth: [] }]);
      }
    }
  });

  it('no token, a forged one, an expired one or one without known roles: 401 on every guarded route', async () => {
    const guarded = (await routes()).filter((r) => !TOKEN_FREE.has(r.key));
    const forged = devToken('a-secret-that-is-not-the-one-of-this-api-000', 'mallory', ['admin']);
    const expired = devToken(h.config.AUTH_JWT_SECRET!, 'late', ['admin'], '1ms');
    const noRoles = `Bearer ${devToken(h.config.AUTH_JWT_SECRET!, 'nobody', ['root' as Role])}`;
    await new Promise((r) => setTimeout(r, 5));
    for (const r of guarded) {
      for (const [what, token] of [['none', undefined], ['forged', `Bearer ${forged}`], ['expired', `Bearer ${expired}`], ['unknown roles', noRoles], ['not a bearer', 'Basic YWRtaW46YWRtaW4=']] as const) {
        const res = await as(token)(r);
        expect(res.statusCode, `${r.key} with ${what} token`).toBe(401);
        // a page answers its sign-in form (test/api/dashboard.test.ts), an operation JSON
        if (!res.headers['content-type']?.toString().startsWith('text/html')) {
          expect(res.json(), `${r.key} with ${what} token`).toMatchObject({ error: 'unauthorized', message: expect.any(String) });
        }
      }
    }
  });

  it('a role the route does not name: 403; each role it names: past the check', async () => {
    for (const r of (await routes()).filter((x) => !TOKEN_FREE.has(x.key))) {
      for (const role of ROLES) {
        const res = await as(`Bearer ${devToken(h.config.AUTH_JWT_SECRET!, `${role}-${++n}`, [role])}`)(r);
        if (r.roles!.includes(role)) expect([401, 403], `${r.key} as ${role}: ${res.body}`).not.toContain(res.statusCode);
        else {
          expect(res.statusCode, `${r.key} as ${role}`).toBe(403);
          if (!res.headers['content-type']?.toString().startsWith('text/html')) expect(res.json().error).toBe('forbidden');
        }
      }
    }
  });

  it('admin may do everything, ops may read everything', async () => {
    for (const r of (await routes()).filter((x) => !TOKEN_FREE.has(x.key))) {
      expect(r.roles, r.key).toContain('admin');
      if (r.method === 'GET') expect(r.roles, r.key).toContain('ops');
    }
  });

  it('the health check and the documentation need no token', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    expect((await h.app.inject({ method: 'GET', url: '/docs/json' })).statusCode).toBe(200);
  });

  it('limits each principal to its requests a minute, with Retry-After, and another principal keeps its own', async () => {
    const alice = { authorization: `Bearer ${h.token('marketing', 'alice')}` };
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await h.app.inject({ method: 'GET', url: '/campaigns', headers: alice }));
    expect(answers.slice(0, 5).map((a) => a.statusCode)).toEqual([200, 200, 200, 200, 200]);
    expect(answers[5]!.statusCode).toBe(429);
    expect(Number(answers[5]!.headers['retry-after'])).toBeGreaterThan(0);
    expect(answers[5]!.json()).toMatchObject({ error: 'rate-limited' });
    const bob = await h.app.inject({ method: 'GET', url: '/campaigns', headers: { authorization: `Bearer ${h.token('marketing', 'bob')}` } });
    expect(bob.statusCode).toBe(200);
    // refused requests count too: carol spends her minute on a route her role may not call
    const carol = { authorization: `Bearer ${h.token('agent', 'carol')}` };
    const refused = [];
    for (let i = 0; i < 6; i++) refused.push((await h.app.inject({ method: 'POST', url: '/campaigns', payload: {}, headers: carol })).statusCode);
    expect(refused).toEqual([403, 403, 403, 403, 403, 429]);
  });
});

const NO_LIMITS = { byAddress: async () => {}, byPrincipal: async () => {} };

describe('requests from one address', () => {
  it('are limited whatever their token, a flood of bad tokens included', async () => {
    const app = Fastify();
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    installErrorHandler(app);
    const config = { AUTH_JWT_SECRET: 'x'.repeat(32), API_RATE_LIMIT_PER_MINUTE: 100, API_RATE_LIMIT_PER_ADDRESS_PER_MINUTE: 3 } as never;
    await installAccess(app, config, await installRateLimit(app, config));
    app.get('/thing', { config: { roles: ['marketing'] } }, async () => ({ ok: true }));
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push((await app.inject({ method: 'GET', url: '/thing', headers: { authorization: 'Bearer forged' } })).statusCode);
    expect(answers).toEqual([401, 401, 401, 429]);
    await app.close();
  });

  it('a route declared signed takes nothing its signature check did not pass', async () => {
    const app = Fastify();
    installErrorHandler(app);
    await installAccess(app, { AUTH_JWT_SECRET: 'x'.repeat(32) } as never, NO_LIMITS);
    app.post('/webhooks/elsewhere', { config: { signedBy: 'dialer' } }, async () => ({ ok: true }));
    expect((await app.inject({ method: 'POST', url: '/webhooks/elsewhere', payload: {} })).statusCode).toBe(401);
    await app.close();
  });

  it('a route may not declare reads and writes under one set of roles', async () => {
    const app = Fastify();
    await installAccess(app, { AUTH_JWT_SECRET: 'x'.repeat(32) } as never, NO_LIMITS);
    expect(() => app.route({ method: ['GET', 'POST'], url: '/both', config: { roles: ['marketing'] }, handler: async () => ({}) })).toThrow(/reads and writes/);
    await app.close();
  });
});

describe('a route that declares no roles', () => {
  it('stops the API from starting, naming the route', async () => {
    const app = Fastify();
    await installAccess(app, { AUTH_JWT_SECRET: 'x'.repeat(32) } as never, NO_LIMITS);
    expect(() => app.get('/forgotten', async () => ({ ok: true }))).toThrow(/GET \/forgotten declares no roles/);
    await app.close();
  });
});

describe('keys of an identity provider', () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const sign = (claims: object, kid?: string) => createSigner({ key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), algorithm: 'RS256', expiresIn: '5m', ...(kid ? { kid } : {}) })(claims);
  const guarded = async (config: object) => {
    const app = Fastify();
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    installErrorHandler(app);
    await installAccess(app, config as never, NO_LIMITS);
    app.get('/thing', { config: { roles: ['marketing'] } }, async () => ({ ok: true }));
    return app;
  };
  const get = (app: FastifyInstance, token: string) => app.inject({ method: 'GET', url: '/thing', headers: { authorization: `Bearer ${token}` } });

  it('a public key: its tokens for this audience get in, for another audience not', async () => {
    const app = await guarded({ AUTH_JWT_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString(), AUTH_JWT_AUDIENCE: 'telemarketing' });
    expect((await get(app, sign({ sub: 'alice', roles: ['marketing'], aud: 'telemarketing' }))).statusCode).toBe(200);
    expect((await get(app, sign({ sub: 'alice', roles: ['marketing'], aud: 'payroll' }))).statusCode).toBe(401);
    expect((await get(app, devToken('x'.repeat(32), 'alice', ['marketing']))).statusCode).toBe(401); // HS256 where RS256 is expected
    await app.close();
  });

  it("an issuer's JWKS: the key is found by its kid", async () => {
    const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256', use: 'sig' };
    const jwks = createServer((_req, res) => { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify({ keys: [jwk] })); });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const issuer = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/`;
    try {
      const app = await guarded({ AUTH_JWKS_ISSUER: issuer, AUTH_JWT_AUDIENCE: 'telemarketing' });
      expect((await get(app, sign({ sub: 'alice', roles: ['marketing'], aud: 'telemarketing', iss: issuer }, 'k1'))).statusCode).toBe(200);
      expect((await get(app, sign({ sub: 'alice', roles: ['marketing'], aud: 'telemarketing', iss: issuer }, 'k2'))).statusCode).toBe(401);
      expect((await get(app, sign({ sub: 'alice', roles: ['marketing'], aud: 'telemarketing', iss: 'http://elsewhere/' }, 'k1'))).statusCode).toBe(401);
      await app.close();
    } finally {
      jwks.close();
    }
  });

  it('an issuer that does not answer is a 503 to retry, not a bad token', async () => {
    const gone = createServer();
    await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
    const issuer = `http://127.0.0.1:${(gone.address() as AddressInfo).port}/`;
    await new Promise((resolve) => gone.close(resolve));
    const app = await guarded({ AUTH_JWKS_ISSUER: issuer, AUTH_JWT_AUDIENCE: 'telemarketing' });
    const res = await get(app, sign({ sub: 'alice', roles: ['marketing'], aud: 'telemarketing', iss: issuer }, 'k1'));
    expect(res.statusCode).toBe(503);
    await app.close();
  });

  it('a token that never expires is refused', async () => {
    const app = await guarded({ AUTH_JWT_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString(), AUTH_JWT_AUDIENCE: 'telemarketing' });
    const forever = createSigner({ key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), algorithm: 'RS256' })({ sub: 'alice', roles: ['marketing'], aud: 'telemarketing' });
    expect((await get(app, forever)).statusCode).toBe(401);
    await app.close();
  });

  it('with a public key or an issuer, the configuration asks for the audience', () => {
    expect(() => loadConfig({ AUTH_JWKS_ISSUER: 'http://idp.example/' })).toThrow(/AUTH_JWT_AUDIENCE: required/);
    expect(() => loadConfig({ AUTH_JWKS_ISSUER: 'http://idp.example/', AUTH_JWT_AUDIENCE: 'x', AUTH_JWT_SECRET: 'y'.repeat(32) })).toThrow(/one way to check tokens/);
  });
});
