import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScheduleNotFoundError } from '@temporalio/client';
import { reportsRollupWorkflow } from '../../workflows/reports/workflow';
import { REPORTS_ROLLUP_SCHEDULE_ID } from '../../workflows/reports/messages';
import { ensureSchedules, scheduleDefinitions } from '../../workers/schedules';
import { startHarness, uniqueId, type Harness } from '../support/harness';

/**
 * The reports-rollup schedule: made once by a worker (a second start leaves it, paused or not),
 * and its workflow takes the marks writes left and brings the rollups up to date.
 */
let h: Harness;
// Its own schedule ids: workers started by other tests (workers/main.ts) make the real ones on their queues.
const idPrefix = `${uniqueId('t')}-`;
const scheduleId = `${idPrefix}${REPORTS_ROLLUP_SCHEDULE_ID}`;
beforeAll(async () => { h = await startHarness(); });
afterAll(async () => {
  for (const { scheduleId: id } of scheduleDefinitions({ taskQueue: h.taskQueue, timeZone: h.config.OPERATOR_TIME_ZONE, idPrefix })) {
    await h.client.schedule.getHandle(id).delete().catch((err) => { if (!(err instanceof ScheduleNotFoundError)) throw err; });
  }
  await h?.close();
});

describe('the reports-rollup schedule', () => {
  it('is made once, every minute, and a worker starting again leaves an operator\'s pause alone', async () => {
    await ensureSchedules(h.client, { taskQueue: h.taskQueue, timeZone: h.config.OPERATOR_TIME_ZONE, idPrefix });
    const handle = h.client.schedule.getHandle(scheduleId);
    await handle.pause('an operator looks at something');
    await ensureSchedules(h.client, { taskQueue: h.taskQueue, timeZone: h.config.OPERATOR_TIME_ZONE, idPrefix });
    const described = await handle.describe();
    expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'reportsRollupWorkflow', taskQueue: h.taskQueue });
    expect(described.spec.intervals?.[0]?.every).toBe(60_000);
    expect(described.state.paused).toBe(true);
  });

  it('runs a refresh: a write\'s mark is taken and its day is in the rollup', async () => {
    const campaign = uniqueId('rollup');
    await h.db.query(`INSERT INTO campaigns (id, name, definition, status, workflow_id) VALUES ($1, 'rollup', $2, 'completed', $1)`,
      [campaign, { offer: { code: 'rollup-offer', name: 'x', price: 1 } }]);
    await h.db.query(`INSERT INTO leads (campaign_id, customer_id, msisdn, region, state, listed_at)
                      SELECT $1, id, msisdn, region, 'done', '2025-05-05T03:00Z' FROM customers WHERE id = 100057`, [campaign]);
    expect((await h.db.query('SELECT 1 FROM report_dirty WHERE campaign_key = $1', [campaign])).rowCount).toBe(1);
    const run = await h.client.workflow.execute(reportsRollupWorkflow, { taskQueue: h.taskQueue, workflowId: uniqueId('rollup-run') });
    expect(run.marks).toBeGreaterThanOrEqual(1);
    expect((await h.db.query('SELECT 1 FROM report_dirty WHERE campaign_key = $1', [campaign])).rowCount).toBe(0);
    const { rows } = await h.db.query(`SELECT to_char(day, 'YYYY-MM-DD') AS day, listed FROM report_daily WHERE campaign_id = $1`, [campaign]);
    expect(rows).toEqual([{ day: '2025-05-05', listed: 1 }]);
  });
});
