import { afterAll, beforeAll, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { startHarness, type Harness } from '../support/harness';
import { BILLING_HEADER, GB18030_BOM } from '../../domain/sales-points/billing-file';

// Months of 2088: no other test imports billing then.
let h: Harness;
beforeAll(async () => { h = await startHarness(); });
afterAll(async () => { await h?.close(); });

const finance = () => ({ authorization: `Bearer ${h.token('finance', 'fiona')}`, 'content-type': 'text/csv' });
const upload = (month: string, payload: string | Buffer, headers: Record<string, string> = {}, query = '') =>
  h.inject({ method: 'POST', url: `/sales-points/billing-imports?month=${month}${query}`, headers: { ...finance(), ...headers }, payload });
const FILE = `${BILLING_HEADER}\n13800000001,vas-video,2088-01-10,,true\n13800000002,vas-music,2087-12-01,2088-01-20,0\n`;

it('imports a file (201), the same bytes again answer the same import (200), and the month lists its imports', async () => {
  const first = await upload('2088-01', FILE, { 'x-file-name': 'billing-jan.csv' });
  expect(first.statusCode).toBe(201);
  expect(first.json()).toMatchObject({ month: '2088-01', rows: 2, encoding: 'utf-8', reused: false });
  const again = await upload('2088-01', FILE, { 'content-type': 'text/csv; charset=utf-8' });
  expect(again.statusCode).toBe(200);
  expect(again.json()).toEqual({ ...first.json(), reused: true });

  const list = await h.inject({ method: 'GET', url: '/sales-points/billing-imports?month=2088-01', headers: { authorization: `Bearer ${h.token('finance')}` } });
  expect(list.statusCode).toBe(200);
  expect(list.json()).toEqual({
    month: '2088-01',
    imports: [expect.objectContaining({ importId: first.json().importId, rows: 2, source: 'upload', fileName: 'billing-jan.csv', importedBy: 'fiona (finance)' })],
  });
});

it('takes GB18030 with a BOM, the encoding named in the query for a file without one', async () => {
  const gb = iconv.encode(FILE.replace('vas-music', '音乐包').replaceAll('2088-01', '2088-02'), 'gb18030');
  const withBom = await upload('2088-02', Buffer.concat([GB18030_BOM, gb]), {}, '&fileName=gb.csv');
  expect(withBom.statusCode).toBe(201);
  expect(withBom.json()).toMatchObject({ encoding: 'gb18030', rows: 2 });
  const named = await upload('2088-03', iconv.encode(FILE.replaceAll('2088-01', '2088-03'), 'gb18030'), {}, '&encoding=gb18030');
  expect(named.json()).toMatchObject({ encoding: 'gb18030', rows: 2 });
});

it('refuses a bad file with 422 naming each bad line, and keeps nothing of it', async () => {
  const bad = `${BILLING_HEADER}\n13800000001,vas-video,2088-04-10,,true\n13800000002,vas-video,2088-04-31,,true\n`;
  const res = await upload('2088-04', bad);
  expect(res.statusCode).toBe(422);
  expect(res.json()).toMatchObject({
    error: 'billing-file-refused',
    errors: [{ line: 3, field: 'activated_on', message: 'a day YYYY-MM-DD of the calendar (1900-2099)' }],
    issues: [{ path: 'body.line.3.activated_on', message: 'a day YYYY-MM-DD of the calendar (1900-2099)' }],
  });
  expect(res.body).not.toContain('13800000002');
  const header = await upload('2088-04', 'msisdn,service_code\n1,2\n');
  expect(header.statusCode).toBe(422);
  expect(header.json().errors).toEqual([{ line: 1, message: expect.stringContaining('header') }]);
  const list = await h.inject({ method: 'GET', url: '/sales-points/billing-imports?month=2088-04' });
  expect(list.json().imports).toEqual([]);
});

it('answers what is not a CSV upload by finance with the 4xx that says so', async () => {
  expect((await upload('2088-05', '{}', { 'content-type': 'application/json' })).statusCode).toBe(415);
  expect((await upload('2088-13', FILE)).statusCode).toBe(400);
  expect((await upload('2088-05', FILE, { authorization: `Bearer ${h.token('marketing')}` })).statusCode).toBe(403);
  const closed = await h.db.query(`INSERT INTO sales_point_runs (month, status) VALUES ('2088-06-01', 'closed') ON CONFLICT DO NOTHING`);
  expect(closed.rowCount).toBe(1);
  expect((await upload('2088-06', FILE)).statusCode).toBe(409);
});
