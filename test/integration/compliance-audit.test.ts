import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignWorkflowId } from '../../domain/campaign/ids';
import { startHarness, uniqueId, type Harness } from '../support/harness';

const AUDIT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../db/compliance/audit');
const audit = (name: string) => readFileSync(path.join(AUDIT, `${name}.sql`), 'utf8');

let h: Harness;
beforeAll(async () => { h = await startHarness(); });
afterAll(async () => { await h?.close(); });

describe('the compliance audit queries (docs/compliance.md)', () => {
  it('find a call outside the window and a call to a do-not-call number, and only those', async () => {
    const id = uniqueId('audit');
    const window = { start: '09:00', end: '10:00', days: [1, 2, 3, 4, 5, 6, 7], holidays: [] };
    await h.db.query(`INSERT INTO campaigns (id, name, definition, status, workflow_id) VALUES ($1, 'audit', $2, 'completed', $3)`,
      [id, JSON.stringify({ window }), campaignWorkflowId(id)]);
    // Three scratch customers (test/global-setup.ts): the planted do-not-call entry touches no
    // other test's calls.
    const leads = [];
    for (const customerId of [100051, 100052, 100053]) {
      const { rows } = await h.db.query<{ id: string; msisdn: string }>(
        `INSERT INTO leads (campaign_id, customer_id, msisdn, region) SELECT $1, id, msisdn, region FROM customers WHERE id = $2
         RETURNING id, msisdn`, [id, customerId]);
      leads.push({ id: rows[0]!.id, customer_id: String(customerId), msisdn: rows[0]!.msisdn });
    }
    const [inside, outside, dnc] = leads as [typeof leads[0], typeof leads[0], typeof leads[0]];
    // Macau is UTC+8: 01:30Z is 09:30 local (inside), 03:00Z is 11:00 local (outside).
    const call = (lead: typeof inside, suffix: string, at: string) => h.db.query(
      `INSERT INTO call_attempts (id, purpose, campaign_id, lead_id, customer_id, attempt_no, disposition, connected, started_at)
       VALUES ($1, 'sales', $2, $3, $4, 1, 'no-answer', false, $5)`, [`${id}-${suffix}`, id, lead.id, lead.customer_id, at]);
    await call(inside, 'in', '2026-11-23T01:30:00Z');
    await call(outside, 'out', '2026-11-23T03:00:00Z');
    await h.db.query(`INSERT INTO dnc_numbers (msisdn) VALUES ($1)`, [dnc.msisdn]);
    // placed inside the window, after the number went on the register: tomorrow 01:40Z
    const now = new Date();
    await call(dnc, 'dnc', new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1, 1, 40)).toISOString());

    const outsideRows = (await h.db.query<{ call_id: string }>(audit('calls-outside-window'))).rows.map((r) => r.call_id);
    expect(outsideRows.filter((c) => c.startsWith(id))).toEqual([`${id}-out`]);
    const dncRows = (await h.db.query<{ call_id: string }>(audit('calls-to-do-not-call'))).rows.map((r) => r.call_id);
    expect(dncRows.filter((c) => c.startsWith(id))).toEqual([`${id}-dnc`]);
  });

  it('find nothing else: the calls the system itself placed are all compliant', async () => {
    const isSynthetic = (c: string) => c.startsWith('audit-');
    const outsideRows = (await h.db.query<{ call_id: string }>(audit('calls-outside-window'))).rows.filter((r) => !isSynthetic(r.call_id));
    const dncRows = (await h.db.query<{ call_id: string }>(audit('calls-to-do-not-call'))).rows.filter((r) => !isSynthetic(r.call_id));
    const overCap = (await h.db.query<{ call_id: string }>(audit('calls-over-contact-cap'))).rows.filter((r) => !isSynthetic(r.call_id));
    expect(outsideRows).toEqual([]);
    expect(dncRows).toEqual([]);
    expect(overCap).toEqual([]);
  });
});
