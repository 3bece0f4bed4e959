import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { temporalCli } from '../../scripts/stack/binaries';
import { campaignWorkflowId } from '../../domain/campaign/ids';
import { launch, testCampaign } from '../support/campaigns';
import { startHarness, uniqueId, type Harness } from '../support/harness';

let h: Harness;
beforeAll(async () => { h = await startHarness(); });
afterAll(async () => { await h?.close(); });

const b64 = (s: string) => Buffer.from(s).toString('base64');
const plain = (json: unknown) => ({ metadata: { encoding: b64('json/plain') }, data: b64(JSON.stringify(json)) });
const bearer = (role: Parameters<Harness['token']>[0]) => ({ authorization: `Bearer ${h.token(role, `codec-${role}`)}` });
// h.app.inject, not h.inject: no admin token added, the request carries only what it is given
const post = (op: string, body: unknown, headers: Record<string, string> = bearer('ops')) =>
  h.app.inject({ method: 'POST', url: `/codec/${op}`, payload: body as object, headers });
/** The payloads' data of `temporal workflow show -o json`, as text. */
const payloadTexts = (json: string) => [...json.matchAll(/"data": "([^"]+)"/g)].map((m) => Buffer.from(m[1]!, 'base64').toString()).join('\n');
const UI = () => new URL(h.config.TEMPORAL_UI_URL).origin;

describe('the codec server', () => {
  it('encrypts and decrypts for ops, and passes payloads in clear through', async () => {
    const enc = await post('encode', { payloads: [plain({ leadId: 7 })] });
    expect(enc.statusCode).toBe(200);
    const [sealed] = enc.json().payloads;
    expect(Buffer.from(sealed.metadata.encoding, 'base64').toString()).toBe('binary/encrypted');
    expect(Buffer.from(sealed.metadata['encryption-key-id'], 'base64').toString()).toBe('test-run');
    expect(Buffer.from(sealed.data, 'base64').toString()).not.toContain('leadId');
    const dec = await post('decode', { payloads: [sealed, plain('old')] });
    expect(dec.statusCode).toBe(200);
    expect(dec.json().payloads).toEqual([plain({ leadId: 7 }), plain('old')]);
  });

  it('refuses other roles, other namespaces, tampered payloads and bad base64', async () => {
    expect((await post('decode', { payloads: [] }, {})).statusCode).toBe(401);
    expect((await post('decode', { payloads: [] }, bearer('marketing'))).statusCode).toBe(403);
    expect((await post('decode', { payloads: [] }, bearer('admin'))).statusCode).toBe(200);
    expect((await post('decode', { payloads: [] }, { ...bearer('ops'), 'x-namespace': 'someone-else' })).statusCode).toBe(400);
    expect((await post('decode', { payloads: [] }, { ...bearer('ops'), 'x-namespace': 'default' })).statusCode).toBe(200);
    const [sealed] = (await post('encode', { payloads: [plain(1)] })).json().payloads;
    const bytes = Buffer.from(sealed.data, 'base64');
    bytes[bytes.length - 1]! ^= 1;
    const tampered = await post('decode', { payloads: [{ ...sealed, data: bytes.toString('base64') }] });
    expect(tampered.statusCode).toBe(422);
    const unknownKey = await post('decode', { payloads: [{ ...sealed, metadata: { ...sealed.metadata, 'encryption-key-id': b64('gone') } }] });
    expect(unknownKey.json().message).toMatch(/key 'gone'/);
    expect((await post('decode', { payloads: [{ data: 'not base64!' }] })).statusCode).toBe(400);
  });

  it("answers the UI's preflight for its origin only, with credentials", async () => {
    const preflight = (origin: string) => h.inject({
      method: 'OPTIONS', url: '/codec/decode',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' },
    });
    const ui = await preflight(UI());
    expect(ui.statusCode).toBe(204);
    expect(ui.headers['access-control-allow-origin']).toBe(UI());
    expect(ui.headers['access-control-allow-credentials']).toBe('true');
    expect((await preflight('https://evil.example')).headers['access-control-allow-origin']).toBeUndefined();
  });

  it('keeps an ops token in a cookie for a UI without a login, and takes it from there', async () => {
    const session = await h.app.inject({ method: 'POST', url: '/codec/session', headers: bearer('ops') });
    expect(session.statusCode).toBe(200);
    expect(session.json()).toMatchObject({ sub: 'codec-ops' });
    const cookie = session.cookies.find((c) => c.name === 'codec_session')!;
    expect(cookie).toMatchObject({ path: '/codec', httpOnly: true, sameSite: 'Strict' });
    expect(cookie.expires!.getTime()).toBeGreaterThan(Date.now());
    const withCookie = await post('encode', { payloads: [plain(1)] }, { cookie: `codec_session=${cookie.value}`, origin: UI() });
    expect(withCookie.statusCode).toBe(200);
    expect(withCookie.headers['access-control-allow-origin']).toBe(UI());
    // a marketing token kept the same way is still a marketing token; no session for it
    expect((await h.app.inject({ method: 'POST', url: '/codec/session', headers: bearer('marketing') })).statusCode).toBe(403);
    const marketing = h.token('marketing', 'm');
    expect((await post('encode', { payloads: [] }, { cookie: `codec_session=${marketing}` })).statusCode).toBe(403);
    expect((await post('encode', { payloads: [] }, { cookie: 'codec_session=forged' })).statusCode).toBe(401);
    const page = await h.inject({ method: 'GET', url: '/codec/sign-in' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Include cross-origin credentials');
  });

  it('lets the Temporal CLI show a workflow decoded, which it shows encrypted without', async () => {
    const id = uniqueId('codec-cli');
    await launch(h, testCampaign(id, { segment: { maxLeads: 1 } }));
    // `workflow show -o json` waits for a running workflow's end: end it
    expect((await h.inject({ method: 'POST', url: `/campaigns/${id}/cancel`, payload: { reason: 'codec test' } })).statusCode).toBe(200);
    await h.client.workflow.getHandle(campaignWorkflowId(id)).result();
    // async: the codec server the CLI calls is this process's own API
    const show = async (...extra: string[]) => (await promisify(execFile)(temporalCli(), [
      'workflow', 'show', '--address', inject('temporalAddress'), '-w', campaignWorkflowId(id), '-o', 'json', ...extra,
    ], { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 60_000 })).stdout;
    const ENCRYPTED = b64('binary/encrypted'); // how the CLI writes the encoding
    const sealed = await show();
    expect(payloadTexts(sealed)).not.toContain(`test ${id}`);
    expect(sealed).toContain(ENCRYPTED);
    const opened = await show('--codec-endpoint', `${h.apiUrl}/codec`, '--codec-auth', `Bearer ${h.token('ops')}`);
    expect(payloadTexts(opened)).toContain(`test ${id}`);
    expect(opened).not.toContain(ENCRYPTED);
  });
});
