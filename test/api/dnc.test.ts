import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../domain/access/roles';
import { startHarness, type Harness } from '../support/harness';

/**
 * The do-not-call register's API (docs/compliance.md): one number or a CSV file, a bad line named
 * by its number and nothing of that file loaded, a repeat that changes nothing, a removal that
 * keeps the entry, and who may do what. Numbers of 195… and 196… are no customer's (generated
 * customers have 13x, 15x and 18x numbers, the scratch ones 1990000xxxx): nothing else sees them.
 */
let h: Harness;
beforeAll(async () => { h = await startHarness(); });
afterAll(async () => { await h?.close(); });

const fresh = () => `1960${String(randomInt(0, 10_000_000)).padStart(7, '0')}`;
const as = (role: Role, sub = `dev-${role}`) => ({ authorization: `Bearer ${h.token(role, sub)}` });
const postJson = (payload: object, role: Role = 'marketing') => h.inject({ method: 'POST', url: '/dnc', payload, headers: as(role) });
const postCsv = (csv: string, role: Role = 'marketing') =>
  h.inject({ method: 'POST', url: '/dnc', payload: csv, headers: { ...as(role), 'content-type': 'text/csv' } });
const lookup = async (msisdn: string) => (await h.inject({ method: 'GET', url: `/dnc?msisdn=${msisdn}` })).json();

describe('the do-not-call register API', () => {
  it('puts one number on it, with who and the source; a repeat changes nothing; lists mask numbers', async () => {
    const n = fresh();
    const first = await postJson({ msisdn: `+86 ${n.slice(0, 3)}-${n.slice(3)}`, reason: 'asked on the phone' }, 'qa');
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ received: 1, added: 1, alreadyOnRegister: 0 });
    expect((await postJson({ msisdn: n })).json()).toEqual({ received: 1, added: 0, alreadyOnRegister: 1 });
    const one = await lookup(n);
    expect(one.onRegister).toBe(true);
    expect(one.entries).toHaveLength(1);
    expect(one.entries[0]).toMatchObject({ msisdn: n, reason: 'asked on the phone', source: 'api', addedBy: 'dev-qa (qa)', removed: null });
    const list = (await h.inject({ method: 'GET', url: '/dnc?source=api&limit=500', headers: as('marketing') })).json();
    const mine = list.entries.find((e: { id: string }) => e.id === one.entries[0].id);
    expect(mine.msisdn).toBe(`${n.slice(0, 3)}****${n.slice(-4)}`);
    expect(JSON.stringify(list)).not.toContain(n);
  });

  it('refuses a bad number with its field path, and a bad line of a file by its line number, loading nothing of that file', async () => {
    const none = await h.inject({ method: 'POST', url: '/dnc', headers: as('marketing') });
    expect(none.statusCode).toBe(400);
    expect(none.json().issues).toEqual([{ path: 'body', message: 'required' }]);
    const bad = await postJson({ msisdn: '12345' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().issues).toEqual([{ path: 'body.msisdn', message: expect.stringMatching(/11-digit/) }]);

    const [a, b, c] = [fresh(), fresh(), fresh()];
    const csv = `msisdn,reason\n${a},complaint\n\n"${b}","said ""never"" twice"\nnot-a-number,x\n${c},ok\n12,x\n`;
    const res = await postCsv(csv);
    expect(res.statusCode).toBe(422);
    expect(res.json().issues.map((i: { path: string }) => i.path)).toEqual(['body.line.5', 'body.line.7']);
    expect(res.json().message).toMatch(/line 5: msisdn/);
    for (const n of [a, b, c]) expect((await lookup(n)).onRegister).toBe(false);

    const header = await postCsv(`number\n${a}\n`);
    expect(header.statusCode).toBe(422);
    expect(header.json().issues[0].path).toBe('body.line.1');
    const ragged = await postCsv(`msisdn,reason\n${a},x\n${b},x,extra\n`);
    expect(ragged.statusCode).toBe(422);
    expect(ragged.json().issues[0].path).toBe('body.line.3');
    expect((await lookup(a)).onRegister).toBe(false);
  });

  it('loads a file whole (COPY, then a merge), records the file as the source, and a repeat changes nothing', async () => {
    const numbers = Array.from({ length: 50 }, fresh);
    const already = numbers[0]!;
    await postJson({ msisdn: already });
    const csv = `\uFEFFMSISDN,Reason\r\n${numbers.map((n, i) => `${n},${i % 2 ? 'complaint' : ''}`).join('\r\n')}\r\n${numbers[1]}\r\n`;
    const first = await postCsv(csv);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ received: 50, added: 49, alreadyOnRegister: 1 });
    const again = await postCsv(csv);
    expect(again.json()).toEqual({ received: 50, added: 0, alreadyOnRegister: 50 });
    const entry = (await lookup(numbers[1]!)).entries;
    expect(entry).toHaveLength(1);
    expect(entry[0]).toMatchObject({ source: 'file', sourceRef: first.headers['x-request-id'], reason: 'complaint', addedBy: 'dev-marketing (marketing)' });
    expect((await lookup(numbers[2]!)).entries[0].reason).toBe('customer request');
    const { rows: [count] } = await h.db.query<{ n: string }>('SELECT count(*) AS n FROM dnc_numbers WHERE msisdn = ANY($1)', [numbers]);
    expect(Number(count!.n)).toBe(50);
  });

  it('loads a large file in one go', async () => {
    const base = 1950_000_0000 + randomInt(0, 90) * 100_000;
    const numbers = Array.from({ length: 50_000 }, (_, i) => String(base + i));
    const res = await postCsv(`msisdn\n${numbers.join('\n')}\n`);
    expect(res.statusCode).toBe(200);
    expect(res.json().received).toBe(50_000);
    expect(res.json().added + res.json().alreadyOnRegister).toBe(50_000);
    expect((await lookup(numbers.at(-1)!)).onRegister).toBe(true);
  });

  it('takes a number off only for an admin, with the reason, and keeps the closed entry as evidence', async () => {
    const n = fresh();
    await postJson({ msisdn: n, reason: 'typed in by mistake?' });
    expect((await h.inject({ method: 'DELETE', url: '/dnc', payload: { msisdn: n, reason: 'x' }, headers: as('marketing') })).statusCode).toBe(403);
    expect((await h.inject({ method: 'DELETE', url: '/dnc', payload: { msisdn: n }, headers: as('admin', 'root') })).statusCode).toBe(400);
    const removed = await h.inject({ method: 'DELETE', url: '/dnc', payload: { msisdn: n, reason: 'wrong number typed by the agent' }, headers: as('admin', 'root') });
    expect(removed.statusCode).toBe(200);
    expect(removed.json().removed).toMatchObject({ msisdn: n, removed: { by: 'root (admin)', reason: 'wrong number typed by the agent' } });
    expect((await h.inject({ method: 'DELETE', url: '/dnc', payload: { msisdn: n, reason: 'again' }, headers: as('admin', 'root') })).statusCode).toBe(404);
    const after = await lookup(n);
    expect(after.onRegister).toBe(false);
    expect(after.entries).toHaveLength(1);
    expect(after.entries[0].removed.at).toEqual(expect.any(String));
    // on again: a new entry, the old period kept
    await postJson({ msisdn: n, reason: 'asked again' });
    const again = await lookup(n);
    expect(again.onRegister).toBe(true);
    expect(again.entries.map((e: { removed: unknown }) => e.removed === null)).toEqual([true, false]);
    // the removal is in the audit log, with who; the number is not
    const audit = (await h.inject({ method: 'GET', url: '/audit?actor=root&limit=20' })).json();
    expect(audit.entries.some((e: { route: string; method: string; status: number }) => e.route === '/dnc' && e.method === 'DELETE' && e.status === 200)).toBe(true);
    expect(JSON.stringify(audit)).not.toContain(n);
  });

  it('lets marketing and qa add and read, ops read, and nobody else', async () => {
    for (const role of ['agent', 'scheduler', 'logistics', 'finance'] as const) {
      expect((await postJson({ msisdn: fresh() }, role)).statusCode, role).toBe(403);
      expect((await h.inject({ method: 'GET', url: '/dnc', headers: as(role) })).statusCode, role).toBe(403);
    }
    expect((await postJson({ msisdn: fresh() }, 'ops')).statusCode).toBe(403);
    expect((await h.inject({ method: 'GET', url: '/dnc', headers: as('ops') })).statusCode).toBe(200);
    expect((await postJson({ msisdn: fresh() }, 'admin')).statusCode).toBe(200);
  });
});
