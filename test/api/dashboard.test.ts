import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSigner } from 'fast-jwt';
import { startHarness, uniqueId, type Harness } from '../support/harness';

/**
 * GET /dashboard's sign-in, through the API in-process: the form without a token, a wall screen's
 * link kept in the cookie and taken out of the address, the reasons a token does not pass, and the
 * cookie good for the dashboard alone. The page in a real browser: test/e2e/dashboard.e2e.test.ts.
 */
let h: Harness;
beforeAll(async () => { h = await startHarness(); });
afterAll(async () => { await h?.close(); });

/** A request as a browser sends it: no bearer token unless a header says so. */
const browser = (url: string, headers: Record<string, string> = {}, method: 'GET' | 'POST' = 'GET') =>
  h.app.inject({ method, url, headers });

const cookieOf = (res: { headers: Record<string, unknown> }) => {
  const all = [res.headers['set-cookie'] ?? []].flat() as string[];
  return all.find((c) => c.startsWith('dashboard_session='));
};

describe('GET /dashboard', () => {
  it('shows the sign-in form without a token, and no reason', async () => {
    const res = await browser('/dashboard');
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('<form id="login"');
    expect(res.body).not.toContain('id="message"');
  });

  it('keeps a wall screen\'s token in an HttpOnly, SameSite=Strict cookie of /dashboard and redirects it out of the address', async () => {
    const res = await browser(`/dashboard?token=${h.token('qa', 'wall')}`);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('dashboard');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    const cookie = cookieOf(res)!;
    expect(cookie).toMatch(/; Path=\/dashboard/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).toMatch(/; Expires=/);

    const page = await browser('/dashboard', { cookie: cookie.split(';')[0]! });
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.body).toContain('signed in as wall (qa)');
    for (const id of ['campaigns', 'daily', 'leaderboard', 'roi', 'held', 'backorders', 'sales-points', 'hotline']) expect(page.body).toContain(`<section id="${id}">`);
    expect(page.body).not.toContain('<script');
  });

  it('says why a token does not pass: not a token, expired, a role the dashboard does not let in', async () => {
    const garbage = await browser('/dashboard?token=not-a-token');
    expect(garbage.statusCode).toBe(401);
    expect(garbage.body).toContain('That token does not sign you in');
    expect(cookieOf(garbage)).toMatch(/Expires=Thu, 01 Jan 1970/);

    const expired = createSigner({ key: h.config.AUTH_JWT_SECRET! })({ sub: 'old', roles: ['qa'], exp: Math.floor(Date.now() / 1000) - 60 });
    const old = await browser('/dashboard', { cookie: `dashboard_session=${expired}` });
    expect(old.statusCode).toBe(401);
    expect(old.body).toMatch(/That token does not sign you in: .*expired/i);

    const agent = await browser(`/dashboard?token=${h.token('agent', 'ann')}`);
    expect(agent.statusCode).toBe(403);
    expect(agent.body).toContain('That token may not see the dashboard');
    expect(agent.body).toContain('<form id="login"');
  });

  it('signs in by POST /dashboard/session with the token in a header, for the form\'s script', async () => {
    const res = await browser('/dashboard/session', { authorization: `Bearer ${h.token('finance', 'fay')}` }, 'POST');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ sub: 'fay' });
    expect(cookieOf(res)).toMatch(/^dashboard_session=.+; Path=\/dashboard; .*HttpOnly; SameSite=Strict/);
    const without = await browser('/dashboard/session', {}, 'POST');
    expect(without.statusCode).toBe(401);
    expect(without.json()).toMatchObject({ error: 'unauthorized' });
  });

  it('takes its cookie on the dashboard alone: any other route still wants a bearer token', async () => {
    const cookie = `dashboard_session=${h.token('ops', 'olga')}`;
    expect((await browser('/reports/funnel', { cookie })).statusCode).toBe(401);
    expect((await browser('/audit', { cookie })).statusCode).toBe(401);
  });

  it('shows a campaign\'s name as text, whatever it holds', async () => {
    const id = uniqueId('dash-xss');
    const name = `<script>alert("x")</script> & <b>'bold'</b>`;
    await h.db.query(`INSERT INTO campaigns (id, name, definition, status, workflow_id) VALUES ($1, $2, '{}', 'completed', $1)`, [id, name]);
    const page = await h.inject({ method: 'GET', url: '/dashboard' });
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('<script');
    expect(page.body).not.toContain('<b>');
    expect(page.body).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; &#60;b&#62;&#39;bold&#39;&#60;/b&#62;');
  });

  it('is in the OpenAPI document: its page and sign-in form as text/html, the wall screen\'s redirect as a 303 without a body', async () => {
    const spec = (await h.inject({ method: 'GET', url: '/docs/json' })).json();
    const get = spec.paths['/dashboard'].get;
    for (const status of ['200', '401', '403']) expect(Object.keys(get.responses[status].content)).toEqual(['text/html']);
    expect(get.responses['303'].content).toBeUndefined();
    expect(spec.paths['/dashboard/session'].post.responses['200'].content['application/json']).toBeDefined();
  });
});
