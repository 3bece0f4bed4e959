import { describe, expect, it } from 'vitest';
import { recordFirstReport } from '../../db/first-report-sql';
import { endCallsWithoutOutcome } from '../../db/campaign/call-outcome-sql';
import { handOver } from '../../api/webhooks';

const squash = (sql: string) => sql.replace(/\s+/g, ' ').trim();

describe('the first report wins: the statements', () => {
  it('writes a report only into empty columns and says whether it was the first', () => {
    expect(squash(recordFirstReport({
      table: 'deliveries', set: { outcome: '$2', outcome_at: '$3' }, where: 'id = $1 AND order_id = $4',
      returning: 'order_id, outcome', decidedBy: 'outcome',
    }))).toBe('UPDATE deliveries SET outcome = COALESCE(outcome, $2), outcome_at = COALESCE(outcome_at, $3) '
      + 'WHERE id = $1 AND order_id = $4 RETURNING order_id, outcome, (SELECT outcome IS NULL FROM deliveries WHERE id = $1) AS first');
  });

  it('leaves `first` out when nobody asks', () => {
    expect(recordFirstReport({ table: 'call_attempts', set: { disposition: '$2' }, where: 'id = $1', returning: 'id' }))
      .not.toContain('AS first');
  });

  it('our own outcome of a call never overwrites one already in', () => {
    expect(squash(endCallsWithoutOutcome("'not-placed'"))).toBe("UPDATE call_attempts SET disposition = 'not-placed', connected = false, "
      + 'duration_sec = 0, ended_at = now() WHERE id = ANY($1::text[]) AND disposition IS NULL');
  });
});

describe('the first report wins: what a webhook answers', () => {
  class Gone extends Error {}
  const isGone = (err: unknown) => err instanceof Gone;

  it('the first report handed over is no duplicate, a repeat is', async () => {
    const handed: boolean[] = [];
    expect(await handOver(true, async () => handed.push(true), isGone)).toEqual({ ok: true, duplicate: false });
    expect(await handOver(false, async () => handed.push(false), isGone)).toEqual({ ok: true, duplicate: true });
    expect(handed).toEqual([true, false]);
  });

  it('nobody waiting any more makes even the first report a duplicate', async () => {
    expect(await handOver(true, async () => { throw new Gone(); }, isGone)).toEqual({ ok: true, duplicate: true });
  });

  it('any other fault is thrown, so the sender retries', async () => {
    await expect(handOver(true, async () => { throw new Error('unreachable'); }, isGone)).rejects.toThrow('unreachable');
  });
});
