import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, testCampaign } from '../support/campaigns';
import { campaignWorkflowId } from '../../domain/campaign/ids';
import { startHarness, uniqueId, type Harness } from '../support/harness';
import { payloadValue } from '../support/history-text';

let h: Harness;
beforeAll(async () => { h = await startHarness(); });
afterAll(async () => { await h?.close(); });

const as = (role: Parameters<Harness['token']>[0], sub: string) => ({ authorization: `Bearer ${h.token(role, sub)}` });
const audit = async (query: string, who = as('ops', 'olga')) => (await api(h, 'GET', `/audit?${query}`, undefined, who)).body as {
  entries: { requestId: string; actor: { sub: string; role: string }; method: string; route: string; targets: string[]; status: number | null; outcome: string }[];
  next: string | null;
};

describe('the audit log', () => {
  it('records every write with who, what, the request id and the outcome, found by actor and target', async () => {
    const alice = uniqueId('alice');
    const id = uniqueId('audited');
    const launched = await h.inject({ method: 'POST', url: '/campaigns', payload: testCampaign(id, { segment: { maxLeads: 2 } }), headers: as('marketing', alice) });
    expect(launched.statusCode).toBe(201);
    const requestId = launched.headers['x-request-id'];
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const cancel = await api(h, 'POST', `/campaigns/${id}/cancel`, { reason: 'wrong list' }, as('marketing', alice));
    expect([200, 409]).toContain(cancel.status);
    // a role the route does not name, and a body it refuses: both recorded as refused
    expect((await api(h, 'POST', `/campaigns/${id}/pause`, undefined, as('agent', alice))).status).toBe(403);
    expect((await api(h, 'PATCH', `/campaigns/${id}/settings`, { window: { start: 'noon' } }, as('marketing', alice))).status).toBe(400);
    // reads are not writes
    await api(h, 'GET', `/campaigns/${id}`, undefined, as('marketing', alice));

    const { entries } = await audit(`actor=${alice}`);
    expect(entries.map((e) => `${e.method} ${e.route} ${e.status}`)).toEqual([
      'PATCH /campaigns/:id/settings 400', 'POST /campaigns/:id/pause 403', `POST /campaigns/:id/cancel ${cancel.status}`, 'POST /campaigns 201',
    ]);
    const launch = entries.at(-1)!;
    expect(launch).toMatchObject({ requestId, actor: { sub: alice, role: 'marketing' }, outcome: 'ok' });
    expect(launch.targets).toEqual([id]);
    expect(entries[1]).toMatchObject({ actor: { sub: alice, role: 'agent' }, outcome: expect.stringMatching(/^refused: .*needs one of the roles/) });
    expect(entries[0]!.outcome).toMatch(/^refused: body\.window/);
    expect((await audit(`target=${id}`)).entries).toHaveLength(4);
    // and Temporal knows who launched it: in the workflow's input
    const started = await h.client.workflow.getHandle(campaignWorkflowId(id)).fetchHistory();
    const input = started.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    expect((await payloadValue<{ launchedBy: unknown }>(input)).launchedBy).toEqual({ sub: alice, role: 'marketing' });
  });

  it('pages newest first, and filters by period', async () => {
    const bob = uniqueId('bob');
    for (let i = 0; i < 3; i++) await api(h, 'PUT', `/teams/${uniqueId('t')}`, { name: 'audit test' }, as('marketing', bob));
    const first = await audit(`actor=${bob}&limit=2`);
    expect(first.entries).toHaveLength(2);
    const second = await audit(`actor=${bob}&limit=2&before=${first.next}`);
    expect(second.entries).toHaveLength(1);
    expect(second.next).toBeNull();
    expect((await audit(`actor=${bob}&from=${new Date(Date.now() + 60_000).toISOString()}`)).entries).toHaveLength(0);
    expect((await api(h, 'GET', `/audit?from=yesterday`, undefined, as('ops', 'olga'))).status).toBe(400);
  });

  it('is for ops and admin only', async () => {
    expect((await api(h, 'GET', '/audit', undefined, as('marketing', 'mia'))).status).toBe(403);
    expect((await api(h, 'GET', '/audit', undefined, as('admin', 'ada'))).status).toBe(200);
  });

  it('shows a request the API never answered (it stopped) as of unknown outcome', async () => {
    const requestId = randomUUID();
    const carol = uniqueId('carol');
    await h.db.query(
      `INSERT INTO audit_log (request_id, phase, actor_sub, actor_role, method, route, targets) VALUES ($1, 'requested', $2, 'scheduler', 'POST', '/orders/:id/cancel', '{o-1}')`,
      [requestId, carol]);
    const { entries } = await audit(`actor=${carol}`);
    expect(entries).toEqual([expect.objectContaining({ requestId, status: null, outcome: expect.stringMatching(/^unknown/) })]);
  });

  it('refuses a write it cannot record, and does nothing of it', async () => {
    const dave = uniqueId('dave');
    // The log fails for this one actor (a disk full, a lost connection would do the same).
    await h.db.query(`CREATE FUNCTION audit_test_fail() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.actor_sub = '${dave}' THEN RAISE EXCEPTION 'audit log down'; END IF; RETURN NEW; END $$`);
    await h.db.query('CREATE TRIGGER audit_test_fail BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_test_fail()');
    try {
      const team = uniqueId('t');
      const res = await api(h, 'PUT', `/teams/${team}`, { name: 'never made' }, as('marketing', dave));
      expect(res.status).toBe(503);
      expect(res.body.error).toBe('audit-unavailable');
      expect((await h.db.query('SELECT 1 FROM teams WHERE code = $1', [team])).rowCount).toBe(0);
    } finally {
      await h.db.query('DROP TRIGGER audit_test_fail ON audit_log');
      await h.db.query('DROP FUNCTION audit_test_fail()');
    }
  });

  it('is append-only: no row can be changed or removed', async () => {
    for (const sql of ['UPDATE audit_log SET outcome = \'ok\'', 'DELETE FROM audit_log', 'TRUNCATE audit_log']) {
      await expect(h.db.query(sql)).rejects.toThrow(/append-only/);
    }
  });
});
