import os from 'node:os';
import { generateCustomers, generateDncRegister } from '../db/customers-generator';
import { SqlParams, segmentWhere } from '../db/campaign/segment-sql';
import { createCampaignActivities } from '../activities/campaign/campaigns';
import { campaignWorkflowId } from '../domain/campaign/ids';
import type { Segment } from '../domain/campaign/campaign';
import { median, seconds, writeSection } from './report';
import { benchDatabase } from './database';

const CUSTOMERS = 5_000_000;
const LEADS = 1_000_000;
const ROUNDS = 3;

/**
 * The list pull (segment, exclusions, one lead per number, in one statement) against a bare
 * INSERT … SELECT of the same segment into the same table, with no exclusion and no dedup.
 * Goal (issue 4): the pull takes at most 1.5× the bare insert for 1M leads from 5M customers.
 */
export async function benchListPull(): Promise<void> {
  const { db, stop } = await benchDatabase('telemarketing_bench');
  try {
    const have = Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM customers')).rows[0]!.n);
    if (have < CUSTOMERS) {
      console.log(`generating ${CUSTOMERS.toLocaleString()} customers (once; kept in database telemarketing_bench) …`);
      const t = Date.now();
      for (let first = have + 1; first <= CUSTOMERS; first += 1_000_000) {
        await generateCustomers(db, { count: Math.min(1_000_000, CUSTOMERS - first + 1), firstId: first, seed: 5 });
        process.stdout.write('.');
      }
      await generateDncRegister(db, { seed: 5 });
      console.log(` ${seconds(Date.now() - t)}`);
    }
    await db.query('VACUUM ANALYZE customers');
    await db.query('VACUUM ANALYZE dnc_numbers');

    // In-network customers who have been with us a year or more: ~3.7M of 5M, of which 1M are listed.
    const segment: Segment = { inNetwork: true, rule: { factor: 'tenureMonths', op: 'gte', value: 12 }, maxLeads: LEADS };
    const offerCode = 'fiber-300';
    const contactCap = { maxCalls: 4, days: 30 }; // the default every campaign has
    for (const id of ['bench-pull', 'bench-bare']) {
      await db.query(`INSERT INTO campaigns (id, name, definition, status, workflow_id) VALUES ($1, $1, '{}', 'completed', $2)
                      ON CONFLICT (id) DO NOTHING`, [id, campaignWorkflowId(id)]);
    }
    const pull = createCampaignActivities(db).pullList;
    const bare = async () => {
      const p = new SqlParams(['bench-bare']);
      const where = segmentWhere(segment, p);
      await db.query(
        `INSERT INTO leads (campaign_id, customer_id, msisdn, region)
         SELECT $1, c.id, c.msisdn, c.region FROM customers c WHERE ${where} ORDER BY c.id LIMIT ${p.add(LEADS, 'bigint')}
         ON CONFLICT DO NOTHING`, p.values);
    };
    const timed = async (fn: () => Promise<unknown>) => {
      await db.query('TRUNCATE leads CASCADE');
      await db.query('CHECKPOINT');
      const t = performance.now();
      await fn();
      return performance.now() - t;
    };

    const bareMs: number[] = [];
    const pullMs: number[] = [];
    let listed = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      // alternate the order so neither side always runs on a warmer cache
      if (round % 2) {
        bareMs.push(await timed(bare));
        pullMs.push(await timed(async () => { listed = (await pull({ campaignId: 'bench-pull', segment, offerCode, contactCap })).listed; }));
      } else {
        pullMs.push(await timed(async () => { listed = (await pull({ campaignId: 'bench-pull', segment, offerCode, contactCap })).listed; }));
        bareMs.push(await timed(bare));
      }
      console.log(`round ${round}: bare ${seconds(bareMs.at(-1)!)}, pull ${seconds(pullMs.at(-1)!)}`);
    }
    // Idempotence at scale: a repeat of the pull (after a crash) adds nothing.
    const t = performance.now();
    const again = (await pull({ campaignId: 'bench-pull', segment, offerCode, contactCap })).listed;
    const repeatMs = performance.now() - t;
    await db.query('TRUNCATE leads CASCADE');

    const ratio = median(pullMs) / median(bareMs);
    const verdict = ratio <= 1.5 ? 'meets the goal (≤ 1.5)' : 'MISSES the goal (≤ 1.5)';
    console.log(`\nlist pull: ${listed.toLocaleString()} leads from ${CUSTOMERS.toLocaleString()} customers`);
    console.log(`bare INSERT … SELECT ${seconds(median(bareMs))} · list pull ${seconds(median(pullMs))} · ratio ${ratio.toFixed(2)} ${verdict}`);
    console.log(`repeat of the pull: ${again === listed ? 'no new leads' : `DIFFERENT COUNT ${again}`} in ${seconds(repeatMs)}`);
    writeSection('list-pull', `## list-pull: 1M leads from 5M customers

\`npm run bench -- list-pull\`, last run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${os.cpus().length} cores.

| | median of ${ROUNDS} | runs |
|---|---|---|
| bare \`INSERT … SELECT\` of the segment (no exclusions, no dedup) | ${seconds(median(bareMs))} | ${bareMs.map(seconds).join(', ')} |
| list pull (segment rule, invalid numbers, DNC flag and register, owners of the offer, contact cap, one lead per number, top-ups) | ${seconds(median(pullMs))} | ${pullMs.map(seconds).join(', ')} |
| **ratio** | **${ratio.toFixed(2)}** | goal ≤ 1.5: ${ratio <= 1.5 ? 'met' : 'missed'} |

Segment: in-network customers with tenure ≥ 12 months, \`maxLeads\` ${LEADS.toLocaleString()}; listed ${listed.toLocaleString()}.
The contact cap groups the contact log's window once and probes it as a hash (the bench database's log is empty).
One lead per number is the unique (campaign, number) key with top-ups for skipped duplicates, not a probe per row.
Repeating the pull (as after a crash) listed ${again === listed ? 'nothing new' : again.toLocaleString()} in ${seconds(repeatMs)}.
`);
  } finally {
    await stop();
  }
}
