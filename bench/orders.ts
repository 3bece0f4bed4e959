import os from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { createOrderActivities } from '../activities/order/orders';
import { loadConfig } from '../infra/config';
import type { Db } from '../infra/db';
import { validNumber } from '../db/campaign/segment-sql';
import { OrderPolicySchema, type OfferInput } from '../domain/campaign/campaign';
import { campaignWorkflowId } from '../domain/campaign/ids';
import { orderIdFor, orderWorkflowId } from '../domain/order/ids';
import { waitFor } from '../scripts/stack/supervisor';
import { cpuMs, procMemory, treeCpuMs } from './proc';
import { seconds, writeSection } from './report';
import { argValue, positiveInt, withBenchStack, type BenchPorts } from './stack';
import type { ProbeMemory } from './worker-probe.cjs';

/** This bench's own ports: none of the demo's, the tests', or the campaign bench's. */
const BENCH_PORTS: BenchPorts = { temporal: 7262, temporalUi: 8262, api: 3062, dialer: 4064, courier: 4065, bss: 4066 };
/** The worker's probe (bench/worker-probe.cts) and its metrics endpoint (WORKER_METRICS_PORT: the SDK's sticky cache size). */
const PROBE_PORT = 9262;
const METRICS_PORT = 9263;
const ORDERS_QUEUE = 'bench-orders';
const CAMPAIGN_ID = 'bench-orders';
const DEFAULT_ORDERS = 10_000;
/** Long enough that no follow-up call comes due during the run: every order ends up asleep. */
const FOLLOW_UP_DELAY_SECONDS = 86_400;
/**
 * Orders started and not yet asleep, at most: a steady stream like a campaign's sales, not one
 * burst of N workflows, and fewer than the cache holds, so the orders being worked stay cached.
 */
const IN_FLIGHT = 100;
/** startOrder calls at once (each is a transaction and a workflow start). */
const START_CONCURRENCY = 20;
/** Measured when this share of N is asleep; the first is the baseline of the ratio. */
const CHECKPOINTS = [0.1, 0.5, 1];
/**
 * Goal: the worker's settled RSS (see settle) with N orders asleep is at most this many times the
 * same with N/10 asleep. Settled, because a busy worker's RSS is a sawtooth of its heaps'
 * collections, and one reading lands anywhere on it.
 */
const GOAL = 1.5;
/**
 * Settling: a forced GC, then the RSS again this much later, until it falls by less than
 * SETTLED_DROP (V8 hands freed pages back over some seconds), at most SETTLE_ROUNDS times.
 */
const SETTLE_STEP_MS = 10_000;
const SETTLED_DROP = 0.02;
const SETTLE_ROUNDS = 6;
/** After the last checkpoint, the worker idles this long with N asleep and is measured again. */
const IDLE_MS = 30_000;
/** No order falling asleep for this long is a failure, not a figure. */
const STALL_MS = 60_000;
/** Before a checkpoint's reading: the worker finishes the last orders' tasks (their timers). */
const SETTLE_MS = 5_000;

/** The courier delivers every parcel at once; the BSS activates at once, never fails. */
const INSTANT_SIMS = {
  courier: { travelMs: { min: 0, max: 0 }, mix: { delivered: 1, 'customer-absent': 0, 'wrong-address': 0, refused: 0, 'courier-lost': 0 } },
  bss: { faults: { errorRate: 0, timeoutRate: 0, latencyMs: 0 } },
};
const OFFER: OfferInput = { code: 'bench-sim-card', name: 'Bench SIM card', price: 38 };

interface Reading {
  label: string;
  asleep: number;
  /** The worker's VmRSS, bytes. */
  rss: number;
  /** Once it stopped falling after full GCs in every thread of the worker (see SETTLE_STEP_MS). */
  rssSettled: number;
  /** JS heap in use after that GC, all threads together, and the workflow thread's share. */
  heapAfterGc: number;
  workflowHeapAfterGc: number;
  /** JS heap the threads hold from the system after that GC. */
  heapTotalAfterGc: number;
  /** Workflows in the worker's sticky cache (its runtime's metric). */
  cached: number | undefined;
}

interface Wave {
  orders: number;
  ms: number;
  /** Highest worker RSS sampled (every second) while the wave's orders were started and worked. */
  maxRss: number;
  /** CPU time the worker spent on the wave, all its threads. */
  cpuMs: number;
  /** CPU time the rest spent on it: Temporal, the API, the sims and the bench (Postgres is not counted). */
  restCpuMs: number;
}

const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

async function stickyCacheSize(): Promise<number | undefined> {
  const text = await (await fetch(`http://127.0.0.1:${METRICS_PORT}/metrics`)).text();
  const m = /^temporal_sticky_cache_size(?:\{[^}]*\})? (\d+)/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

/**
 * Leads for N orders, set-based: a campaign row (no campaign workflow: the orders are started
 * directly) and N leads of distinct, valid numbers, each already called and accepted.
 */
async function seedLeads(db: Db, n: number): Promise<number[]> {
  await db.query(
    `INSERT INTO campaigns (id, name, definition, status, workflow_id) VALUES ($1, 'Bench orders', '{}', 'completed', $2)`,
    [CAMPAIGN_ID, campaignWorkflowId(CAMPAIGN_ID)],
  );
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO leads (campaign_id, customer_id, msisdn, region, state, attempts, last_disposition)
     SELECT $1, id, msisdn, region, 'done', 1, 'accepted'
       FROM (SELECT DISTINCT ON (c.msisdn) c.id, c.msisdn, c.region FROM customers c
              WHERE ${validNumber()} ORDER BY c.msisdn, c.id) d
      ORDER BY id LIMIT $2
     RETURNING id`,
    [CAMPAIGN_ID, n],
  );
  if (rows.length !== n) throw new Error(`only ${rows.length} leads of distinct valid numbers for ${n} orders`);
  await db.query('ANALYZE leads');
  return rows.map((r) => Number(r.id)).sort((a, b) => a - b);
}

/** Orders asleep on their follow-up timer (activated: stage followUp), and orders that ended instead. */
async function orderCounts(db: Db): Promise<{ asleep: number; ended: number }> {
  const { rows } = await db.query<{ asleep: string; ended: string }>(
    `SELECT count(*) FILTER (WHERE stage = 'followUp') AS asleep, count(*) FILTER (WHERE stage = 'done') AS ended
       FROM orders WHERE campaign_id = $1`,
    [CAMPAIGN_ID],
  );
  return { asleep: Number(rows[0]!.asleep), ended: Number(rows[0]!.ended) };
}

/** Why the orders stopped falling asleep: the first order still awake, as Temporal sees it. */
async function stallReport(db: Db, client: Client): Promise<Error> {
  const { rows } = await db.query<{ id: string; status: string; stage: string; reason: string }>(
    `SELECT o.id, o.status, o.stage, (SELECT reason FROM order_events e WHERE e.order_id = o.id ORDER BY e.id DESC LIMIT 1) AS reason
       FROM orders o WHERE o.campaign_id = $1 AND o.stage <> 'followUp' ORDER BY o.created_at LIMIT 1`,
    [CAMPAIGN_ID],
  );
  const order = rows[0];
  if (!order) return new Error(`no order fell asleep for ${seconds(STALL_MS)}`);
  const { raw } = await client.workflow.getHandle(orderWorkflowId(order.id)).describe();
  const failing = (raw.pendingActivities ?? []).find((a) => a.lastFailure);
  return new Error(`no order fell asleep for ${seconds(STALL_MS)}; order ${order.id} is ${order.status}/${order.stage} ` +
    `(last event: ${order.reason})${failing ? `, activity ${failing.activityType?.name} failing: ${failing.lastFailure?.message}` : ''}`);
}

/**
 * Temporal agrees with the database: `asleep` orders are running with status completed, and a
 * sample of them has the follow-up timer as the last event of its history (nothing else to do).
 */
async function confirmAsleep(client: Client, asleep: number, leadIds: number[]): Promise<void> {
  const query = `WorkflowType = 'orderWorkflow' AND ExecutionStatus = 'Running' AND CampaignId = '${CAMPAIGN_ID}' AND OrderStatus = 'completed'`;
  await waitFor(`${asleep} orders in Temporal's visibility`, async () => (await client.workflow.count(query)).count === asleep, 60_000);
  const sample = Array.from({ length: 20 }, (_, i) => leadIds[Math.floor((i * asleep) / 20)]!);
  for (const leadId of sample) {
    const handle = client.workflow.getHandle(orderWorkflowId(orderIdFor(CAMPAIGN_ID, leadId)));
    await waitFor(`order of lead ${leadId} asleep on its timer`, async () => {
      const events = (await handle.fetchHistory()).events ?? [];
      const last = events.at(-1)?.timerStartedEventAttributes;
      return Number(last?.startToFireTimeout?.seconds ?? 0) === FOLLOW_UP_DELAY_SECONDS;
    }, 30_000);
  }
}

/**
 * `npm run bench -- orders [--orders N] [--cache C]`: N orders (10,000 by default), each a real
 * orderWorkflow started through the startOrder activity's code, booked with the courier sim,
 * delivered by its webhook through the API, activated in the BSS sim, then asleep on its follow-up
 * timer (a day). The worker, workers/main.ts in its own process with its workflow cache set to C
 * (the configured WORKER_MAX_CACHED_WORKFLOWS by default), has its RSS read from /proc throughout
 * and at checkpoints. Goal (issue): its RSS with N asleep, settled after a forced GC, is at most 1.5×
 * the same with N/10 asleep.
 */
export async function benchOrders(): Promise<void> {
  const n = positiveInt('--orders', argValue('--orders') ?? process.env.BENCH_ORDERS, DEFAULT_ORDERS);
  if (n < 10) throw new Error('--orders: at least 10 (the baseline is a tenth of them)');
  // The worker's cache as configured for production (infra/config.ts), unless --cache says otherwise.
  const cache = positiveInt('--cache', argValue('--cache') ?? process.env.BENCH_CACHE, loadConfig({}).WORKER_MAX_CACHED_WORKFLOWS);

  await withBenchStack({
    purpose: 'npm run bench -- orders',
    lockName: 'bench-orders',
    database: 'telemarketing_bench_orders',
    ports: BENCH_PORTS,
    taskQueue: ORDERS_QUEUE,
    simConfig: INSTANT_SIMS,
    // ~1.5% of generated numbers are invalid or shared: 10% spare.
    customers: Math.ceil(n * 1.1) + 100,
  }, async ({ sup, config, db, client, childEnv }) => {
    const leadIds = await seedLeads(db, n);

    // ---- The worker under test: workers/main.ts as deployed, in its own process (its RSS is its
    // own), with the probe preloaded for the heap after a forced GC and the sticky cache's size.
    const worker = sup.spawn('bench-orders-worker', process.execPath, [
      '--expose-gc', '--require', 'tsx/cjs', '--require', './bench/worker-probe.cts', '--import', 'tsx', 'workers/main.ts',
    ], {
      ...childEnv,
      WORKER_MAX_CACHED_WORKFLOWS: String(cache),
      BENCH_PROBE_PORT: String(PROBE_PORT), WORKER_METRICS_PORT: String(METRICS_PORT),
    });
    const pid = worker.pid!;
    console.log(`orders: ${n.toLocaleString()}, worker pid ${pid} with a workflow cache of ${cache}; bundling …`);
    await sup.watch(waitFor('the bench worker polling', async () => {
      const tq = await client.workflowService.describeTaskQueue({ namespace: config.TEMPORAL_NAMESPACE, taskQueue: { name: ORDERS_QUEUE } });
      return (tq.pollers ?? []).length > 0;
    }));

    const samples: { at: number; rss: number }[] = [];
    const t0 = performance.now();
    const sampler = setInterval(() => samples.push({ at: performance.now(), rss: procMemory(pid).rss }), 1_000);
    const readings: Reading[] = [];
    const read = async (label: string, asleep: number): Promise<Reading> => {
      const rss = procMemory(pid).rss;
      let probe: ProbeMemory;
      let settled = rss;
      for (let round = 1; ; round++) {
        probe = (await (await fetch(`http://127.0.0.1:${PROBE_PORT}/memory`)).json()) as ProbeMemory;
        await delay(SETTLE_STEP_MS);
        const before = settled;
        settled = procMemory(pid).rss;
        if (settled > before * (1 - SETTLED_DROP) || round === SETTLE_ROUNDS) break;
      }
      const r: Reading = {
        label, asleep, rss, rssSettled: settled,
        heapAfterGc: probe.threads.reduce((a, t) => a + t.heapUsed, 0),
        heapTotalAfterGc: probe.threads.reduce((a, t) => a + t.heapTotal, 0),
        // The workflow thread holds the workflows: by far the largest heap besides the main thread's.
        workflowHeapAfterGc: Math.max(...probe.threads.filter((t) => t.threadId !== 0).map((t) => t.heapUsed), 0),
        cached: await stickyCacheSize(),
      };
      readings.push(r);
      console.log(`  ${label.padEnd(22)} rss ${mb(r.rss).padStart(7)}, settled ${mb(r.rssSettled).padStart(7)} · heap after GC ${mb(r.heapAfterGc)} ` +
        `live (workflow thread ${mb(r.workflowHeapAfterGc)}) of ${mb(r.heapTotalAfterGc)} held · ${r.cached ?? '–'} workflows cached`);
      return r;
    };

    const { startOrder } = createOrderActivities({ db, client, taskQueue: ORDERS_QUEUE });
    const policy = OrderPolicySchema.parse({ followUpDelaySeconds: FOLLOW_UP_DELAY_SECONDS });
    let started = 0;
    /** Starts orders until `target` are asleep, keeping at most IN_FLIGHT awake. */
    const runTo = async (target: number): Promise<Wave> => {
      const from = started;
      const waveStart = performance.now();
      const cpuStart = cpuMs(pid);
      const treeStart = treeCpuMs(process.pid);
      let last = { asleep: -1, at: Date.now() };
      let shown = Date.now();
      for (;;) {
        const { asleep, ended } = await orderCounts(db);
        if (ended) throw new Error(`${ended} orders ended (failed or cancelled) instead of falling asleep`);
        if (asleep >= target) break;
        if (asleep !== last.asleep) last = { asleep, at: Date.now() };
        else if (Date.now() - last.at > STALL_MS) throw await stallReport(db, client);
        if (Date.now() - shown >= 30_000) {
          shown = Date.now();
          console.log(`  [${seconds(performance.now() - t0)}] ${asleep.toLocaleString()} asleep, ${(started - asleep).toLocaleString()} awake · rss ${mb(procMemory(pid).rss)}`);
        }
        const room = Math.min(target - started, IN_FLIGHT - (started - asleep));
        if (room <= 0) {
          await delay(200);
          continue;
        }
        const batch = leadIds.slice(started, started + room);
        for (let i = 0; i < batch.length; i += START_CONCURRENCY) {
          await Promise.all(batch.slice(i, i + START_CONCURRENCY).map((leadId) => startOrder({ campaignId: CAMPAIGN_ID, leadId, offer: OFFER, policy })));
        }
        started += batch.length;
      }
      const ms = performance.now() - waveStart;
      const inWave = samples.filter((s) => s.at >= waveStart);
      const cpu = cpuMs(pid) - cpuStart;
      return {
        orders: started - from, ms, maxRss: Math.max(...inWave.map((s) => s.rss), procMemory(pid).rss),
        cpuMs: cpu, restCpuMs: treeCpuMs(process.pid) - treeStart - cpu,
      };
    };

    const waves: Wave[] = [];
    try {
      // A child that dies (the worker, above all) fails the bench at once instead of a stall.
      await sup.watch((async () => {
        await read('worker idle', 0);
        for (const share of CHECKPOINTS) {
          const target = Math.round(n * share);
          const wave = await runTo(target);
          waves.push(wave);
          console.log(`${target.toLocaleString()} asleep: ${wave.orders.toLocaleString()} orders in ${seconds(wave.ms)} ` +
            `(${(wave.orders / (wave.ms / 1000)).toFixed(1)} orders/s; CPU per order: worker ${(wave.cpuMs / wave.orders).toFixed(0)} ms, ` +
            `the rest ${(wave.restCpuMs / wave.orders).toFixed(0)} ms), max rss meanwhile ${mb(wave.maxRss)}`);
          await confirmAsleep(client, target, leadIds);
          await delay(SETTLE_MS);
          await read(`${Math.round(share * 100)}% asleep`, target);
        }
        await delay(IDLE_MS);
        await read(`${seconds(IDLE_MS)} later`, n);
      })());
    } finally {
      clearInterval(sampler);
    }

    const peak = procMemory(pid).peak;
    const [idle, baseline] = [readings[0]!, readings[1]!];
    const full = readings[CHECKPOINTS.length]!;
    const ratio = full.rssSettled / baseline.rssSettled;
    const rawRatio = full.rss / baseline.rss;
    const peakRatio = waves.at(-1)!.maxRss / waves[0]!.maxRss;
    const met = ratio <= GOAL;
    const workMs = waves.reduce((a, w) => a + w.ms, 0);
    const rate = n / (workMs / 1000);
    const perOrder = (key: 'cpuMs' | 'restCpuMs') => `${(waves.reduce((a, w) => a + w[key], 0) / n).toFixed(0)} ms`;
    /** Live heap the workflow thread holds per cached workflow. */
    const perCached = full.cached ? (full.workflowHeapAfterGc - idle.workflowHeapAfterGc) / full.cached : undefined;
    const perCachedText = perCached === undefined ? '?' : `${(perCached / 1024 / 1024).toFixed(2)} MB`;
    const verdict = `${met ? 'meets' : 'MISSES'} the goal (≤ ${GOAL})`;
    console.log(`\n${n.toLocaleString()} orders asleep on their follow-up timers, worker cache ${cache}`);
    console.log(`  rss ratio  ${ratio.toFixed(2)} settled (${mb(full.rssSettled)} with ${n.toLocaleString()} asleep / ` +
      `${mb(baseline.rssSettled)} with ${baseline.asleep.toLocaleString()}) ${verdict}`);
    console.log(`             ${rawRatio.toFixed(2)} as found (${mb(full.rss)} / ${mb(baseline.rss)}); ${peakRatio.toFixed(2)} between the peaks ` +
      `of the last and first waves (${mb(waves.at(-1)!.maxRss)} / ${mb(waves[0]!.maxRss)})`);
    console.log(`  peak rss   ${mb(peak)}; live heap per cached workflow ${perCachedText}`);
    console.log(`  throughput ${rate.toFixed(1)} orders/s to asleep (${seconds(workMs)} of work; whole run ${seconds(performance.now() - t0)}); ` +
      `CPU per order: worker ${perOrder('cpuMs')}, the rest ${perOrder('restCpuMs')}`);

    const row = (r: Reading) =>
      `| ${r.label} | ${r.asleep.toLocaleString()} | ${mb(r.rss)} | ${mb(r.rssSettled)} | ${mb(r.heapAfterGc)} (${mb(r.workflowHeapAfterGc)}) | ` +
      `${mb(r.heapTotalAfterGc)} | ${r.cached ?? '–'} |`;
    writeSection('orders', `## orders: ${n.toLocaleString()} orders asleep on their follow-up timers

\`npm run bench -- orders\`, last run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${os.cpus().length} cores.
The worker's workflow cache: **${cache}** workflows (\`WORKER_MAX_CACHED_WORKFLOWS\`).

| checkpoint | orders asleep | worker RSS as found | RSS settled | live JS heap after a forced GC (workflow thread) | JS heap held | workflows cached |
|---|---|---|---|---|---|---|
${readings.map(row).join('\n')}
| **ratio** ${n.toLocaleString()} / ${baseline.asleep.toLocaleString()} asleep | | ${rawRatio.toFixed(2)} | **${ratio.toFixed(2)}** | | | goal ≤ ${GOAL}: ${met ? 'met' : 'missed'} |

The goal: the worker's settled RSS with all ${n.toLocaleString()} orders asleep is at most ${GOAL} times the same with
${baseline.asleep.toLocaleString()} asleep. Settled: a full GC forced in every thread, then the RSS read ${seconds(SETTLE_STEP_MS)} later, again
until it falls by less than ${SETTLED_DROP * 100}% (at most ${SETTLE_ROUNDS} times), because V8 hands freed pages back over some seconds
and a working worker's RSS is a sawtooth of its heaps' collections: a single reading lands anywhere on it.

While the orders were started and worked, the worker's RSS (read every second) peaked at
${waves.map((w, i) => `${mb(w.maxRss)} (${i === 0 ? 'up to' : 'on to'} ${Math.round(CHECKPOINTS[i]! * 100)}%)`).join(', ')}: the last wave's peak is
${peakRatio.toFixed(2)} times the first's. Its high-water mark (VmHWM) over the whole run was ${mb(peak)}. Each cached
workflow held **${perCachedText}** of live heap.

Throughput, for information: **${rate.toFixed(1)} orders/s** from start to asleep
(${waves.map((w) => `${w.orders.toLocaleString()} in ${seconds(w.ms)}`).join(', ')}), at most ${IN_FLIGHT} orders awake at once. CPU per order:
the worker ${perOrder('cpuMs')}, everything else the bench started (Temporal, the API, the sims, the bench itself;
not Postgres) ${perOrder('restCpuMs')}. The machine's cores are shared, so this is the figure to watch, not the rate.

What was measured: ${n.toLocaleString()} orders of one campaign, each a real \`orderWorkflow\` started through the
\`startOrder\` activity's code (called by the bench, ${START_CONCURRENCY} at once). Each books its delivery with the courier
sim, which delivers at once and reports by webhook to the API (its own process), which signals the
order; the BSS sim activates at once; the order then sleeps on its follow-up timer
(${FOLLOW_UP_DELAY_SECONDS.toLocaleString()} s). The worker is \`workers/main.ts\` in a process of its own, its RSS read from
\`/proc/<pid>/status\`; a preloaded probe (\`bench/worker-probe.cts\`) forces a full GC in each of its
threads and reads the sticky cache's size from the runtime's metrics. Each checkpoint is read once
the database has that many orders at stage \`followUp\`, Temporal's visibility counts as many running
and completed, a sample's histories end on the follow-up timer, and ${seconds(SETTLE_MS)} have passed. The ratio compares
the readings at ${n.toLocaleString()} and at ${baseline.asleep.toLocaleString()} asleep, taken in the same run.

Why memory stays bounded: between its tasks, a workflow lives only in the worker's sticky cache,
which holds at most \`WORKER_MAX_CACHED_WORKFLOWS\` workflows and evicts the least recently used
to make room. An order asleep on a day-long timer is soon evicted and then costs the worker nothing:
its state is its history on the Temporal server, replayed (a few dozen events) when the timer
fires. So the live heap stays at the cache's worth however many orders sleep. The RSS is a few
times that: V8 lets a heap grow well past its live data before a full collection (the default limit
is some 4 GB per thread), and evicted workflows are garbage it has not collected yet.

What a cached order costs: the SDK shares, between the workflows of its reused V8 context, only
the modules loaded before the first workflow; every workflow evaluates its own copy of what the
bundle's entry point imports, and again on each replay of an evicted workflow. So the order
workflow imports only zod-free modules (\`workflows/index.ts\` loads the campaign's and the bulk
retry job's, which validate with zod, only in those workflows; \`test/unit/workflow-imports.test.ts\`
keeps it so).
`);
    console.log('\nwritten to docs/benchmarks.md');
  });
}
