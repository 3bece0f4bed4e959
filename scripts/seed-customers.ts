/**
 * Seeds the synthetic customer base: regions, customers and the do-not-call register.
 *
 *   tsx scripts/seed-customers.ts --count 10000 --seed 7 [--first-id 1] [--dnc-fraction 0.005] [--migrate]
 *
 * Uses DATABASE_URL. Rows depend only on (seed, id), so a rerun inserts nothing new and a larger
 * --count later only adds the missing ids. Large counts go in batches of one statement each.
 */
import { parseArgs } from 'node:util';
import { loadConfig, ConfigError } from '../infra/config';
import { createPool, migrate } from '../infra/db';
import { generateCustomers, generateDncRegister, seedRegions } from '../db/customers-generator';

const USAGE =
  'usage: tsx scripts/seed-customers.ts --count N [--seed S] [--first-id ID] [--dnc-fraction F] [--migrate]';
const BATCH = 1_000_000;

class UsageError extends Error {}

function parseIntFlag(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw.trim())) throw new UsageError(`--${name} must be an integer, got '${raw}'`);
  const v = Number(raw);
  if (!Number.isSafeInteger(v) || v < min || v > max) {
    throw new UsageError(`--${name} must be in ${min}..${max}, got ${raw}`);
  }
  return v;
}

function parseCli(argv: string[]) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        count: { type: 'string' },
        seed: { type: 'string' },
        'first-id': { type: 'string' },
        'dnc-fraction': { type: 'string' },
        migrate: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0] ?? 'bad arguments');
  }
  if (values.help) return { help: true as const };
  if (values.count === undefined) throw new UsageError('--count is required');
  const count = parseIntFlag('count', values.count, 0, 0, 50_000_000);
  const seed = parseIntFlag('seed', values.seed, 1, -2_147_483_648, 2_147_483_647);
  const firstId = parseIntFlag('first-id', values['first-id'], 1, 1, Number.MAX_SAFE_INTEGER - count);
  let dncFraction = 0.005;
  if (values['dnc-fraction'] !== undefined) {
    dncFraction = Number(values['dnc-fraction']);
    if (values['dnc-fraction'].trim() === '' || !Number.isFinite(dncFraction) || dncFraction < 0 || dncFraction > 1) {
      throw new UsageError(`--dnc-fraction must be a number in 0..1, got '${values['dnc-fraction']}'`);
    }
  }
  return { help: false as const, count, seed, firstId, dncFraction, migrate: values.migrate };
}

async function main(): Promise<number> {
  let cli: ReturnType<typeof parseCli>;
  let databaseUrl: string;
  try {
    cli = parseCli(process.argv.slice(2));
    databaseUrl = loadConfig().DATABASE_URL;
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConfigError) {
      const hint = err instanceof UsageError ? ' (see --help)' : '';
      console.error(`seed-customers: ${err.message.replace(/\s*\n\s*/g, ' ')}${hint}`);
      return 2;
    }
    throw err;
  }
  if (cli.help) {
    console.log(USAGE);
    return 0;
  }

  const db = createPool(databaseUrl, 2);
  try {
    if (cli.migrate) {
      const applied = await migrate(db);
      if (applied.length > 0) console.log(`migrations applied: ${applied.join(', ')}`);
    }
    await seedRegions(db);
    const started = Date.now();
    let inserted = 0;
    for (let done = 0; done < cli.count; done += BATCH) {
      const n = Math.min(BATCH, cli.count - done);
      inserted += (await generateCustomers(db, { count: n, seed: cli.seed, firstId: cli.firstId + done })).inserted;
      if (cli.count > BATCH) console.log(`  customers ${done + n}/${cli.count}`);
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const last = cli.firstId + cli.count - 1;
    console.log(
      `customers: ${inserted} inserted, ${cli.count - inserted} already there (ids ${cli.firstId}..${last}, seed ${cli.seed}, ${seconds}s)`,
    );
    const dnc = await generateDncRegister(db, {
      seed: cli.seed,
      fraction: cli.dncFraction,
      fromId: cli.firstId,
      toId: last,
    });
    console.log(`dnc register: ${dnc.inserted} numbers added`);
    const totals = await db.query<{ customers: string; dnc: string; regions: string }>(
      `SELECT (SELECT count(*) FROM customers) AS customers, (SELECT count(*) FROM dnc_numbers WHERE removed_at IS NULL) AS dnc,
              (SELECT count(*) FROM regions) AS regions`,
    );
    const t = totals.rows[0]!;
    console.log(`totals: ${t.customers} customers, ${t.dnc} do-not-call numbers, ${t.regions} regions`);
    return 0;
  } catch (err) {
    console.error(`seed-customers: ${(err as Error).message}`);
    return 1;
  } finally {
    await db.end();
  }
}

process.exitCode = await main();
