import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPool, migrate } from '../../infra/db';
import { ensureDatabase, splitDatabaseUrl } from '../../scripts/stack/postgres';
import {
  OWNED_SERVICE_CODES,
  PLANS,
  REGIONS,
  generateCustomers,
  generateDncRegister,
  seedRegions,
} from '../../db/customers-generator';

// Other tests share the database: this file only touches customer ids in its own private range
// and removes exactly what it added.
const FIRST = 9_000_000;
const COUNT = 5000;
const LAST = FIRST + COUNT - 1;
const SEED = 424242;

// TEST_DATABASE_URL wins (a database of your own); otherwise a database of this file's own on the
// test server, so the customers it adds and removes never show up in other tests' lists.
async function databaseUrl(): Promise<string> {
  if (process.env.TEST_DATABASE_URL) return process.env.TEST_DATABASE_URL;
  const url = await ensureDatabase(splitDatabaseUrl(inject('databaseUrl')).serverUrl, 'telemarketing_test_generator', { fresh: true });
  const pool = createPool(url, 1);
  try {
    await migrate(pool);
  } finally {
    await pool.end();
  }
  return url;
}

let db: pg.Pool;
let dncBefore = new Set<string>();

async function myRows(from = FIRST, to = LAST): Promise<Record<string, unknown>[]> {
  const r = await db.query('SELECT * FROM customers WHERE id BETWEEN $1 AND $2 ORDER BY id', [from, to]);
  return r.rows;
}

async function one<T>(sql: string, params: unknown[] = []): Promise<T> {
  const r = await db.query(sql, params);
  return r.rows[0] as T;
}

describe('synthetic customer base generator', () => {
  beforeAll(async () => {
    db = new pg.Pool({ connectionString: await databaseUrl(), max: 3 });
    await seedRegions(db);
    await db.query('DELETE FROM customers WHERE id BETWEEN $1 AND $2', [FIRST, LAST]); // an aborted earlier run
    const { inserted } = await generateCustomers(db, { count: COUNT, seed: SEED, firstId: FIRST });
    expect(inserted).toBe(COUNT);
    const existing = await db.query<{ msisdn: string }>(
      `SELECT d.msisdn FROM dnc_numbers d
       WHERE d.msisdn IN (SELECT msisdn FROM customers WHERE id BETWEEN $1 AND $2)`,
      [FIRST, LAST],
    );
    dncBefore = new Set(existing.rows.map((r) => r.msisdn));
  });

  afterAll(async () => {
    if (!db) return;
    try {
      const added = await db.query<{ msisdn: string }>(
        `SELECT d.msisdn FROM dnc_numbers d
         WHERE d.msisdn IN (SELECT msisdn FROM customers WHERE id BETWEEN $1 AND $2)`,
        [FIRST, LAST],
      );
      const mine = added.rows.map((r) => r.msisdn).filter((m) => !dncBefore.has(m));
      await db.query('DELETE FROM dnc_numbers WHERE msisdn = ANY($1::text[])', [mine]);
      await db.query('DELETE FROM customers WHERE id BETWEEN $1 AND $2', [FIRST, LAST]);
    } finally {
      await db.end();
    }
  });

  it('seeds every region idempotently, each with a valid time zone', async () => {
    await seedRegions(db);
    const r = await db.query<{ code: string; name: string; time_zone: string; local: Date }>(
      `SELECT code, name, time_zone, now() AT TIME ZONE time_zone AS local
       FROM regions WHERE code = ANY($1::text[]) ORDER BY code`,
      [REGIONS.map((x) => x.code)],
    );
    expect(r.rows).toHaveLength(REGIONS.length);
    for (const row of r.rows) {
      const region = REGIONS.find((x) => x.code === row.code)!;
      expect(row.time_zone).toBe(region.timeZone);
      expect(row.name).toBe(region.name);
      expect(row.local).toBeInstanceOf(Date);
    }
    const zones = new Set(REGIONS.map((x) => x.timeZone));
    expect(zones.size).toBeGreaterThanOrEqual(3);
    expect(zones.has('Asia/Urumqi')).toBe(true);
    const known = await db.query<{ name: string }>('SELECT name FROM pg_timezone_names WHERE name = ANY($1::text[])', [
      [...zones],
    ]);
    expect(new Set(known.rows.map((x) => x.name))).toEqual(zones);
  });

  it('is deterministic and idempotent: same seed, same rows; a rerun inserts nothing', async () => {
    const before = await myRows();
    expect(before).toHaveLength(COUNT);
    expect((await generateCustomers(db, { count: COUNT, seed: SEED, firstId: FIRST })).inserted).toBe(0);

    // Regenerate a slice in a batch of its own: the rows depend on (seed, id) only.
    const from = FIRST + 1000;
    const to = FIRST + 1049;
    await db.query('DELETE FROM customers WHERE id BETWEEN $1 AND $2', [from, to]);
    expect((await generateCustomers(db, { count: 50, seed: SEED, firstId: from })).inserted).toBe(50);
    expect(await myRows(from, to)).toEqual(before.slice(1000, 1050));
    expect((await generateCustomers(db, { count: COUNT, seed: SEED, firstId: FIRST })).inserted).toBe(0);
    expect(await myRows()).toEqual(before);
  });

  it('gives other numbers for another seed', async () => {
    const client = await db.connect();
    try {
      await client.query('BEGIN');
      await client.query('DELETE FROM customers WHERE id BETWEEN $1 AND $2', [FIRST, FIRST + 199]);
      await generateCustomers(client, { count: 200, seed: SEED + 1, firstId: FIRST });
      const other = await client.query<{ id: string; msisdn: string }>(
        'SELECT id, msisdn FROM customers WHERE id BETWEEN $1 AND $2 ORDER BY id',
        [FIRST, FIRST + 199],
      );
      await client.query('ROLLBACK');
      const mine = (await myRows(FIRST, FIRST + 199)).map((r) => r.msisdn);
      const same = other.rows.filter((r, i) => r.msisdn === mine[i]).length;
      expect(other.rows).toHaveLength(200);
      expect(same).toBeLessThan(5);
    } finally {
      await client.query('ROLLBACK').catch(() => {});
      client.release();
    }
  });

  it('has roughly the stated distributions', async () => {
    type Stats = Record<string, number>;
    const s = await one<Stats>(
      `SELECT count(*)::int                                                      AS total,
              count(*) FILTER (WHERE msisdn !~ '^1[0-9]{10}$')::int               AS invalid,
              count(*) FILTER (WHERE msisdn ~ '^1[0-9]{10}$' AND msisdn !~ '^1[358][0-9]{9}$')::int AS bad_prefix,
              (count(*) - count(DISTINCT msisdn))::int                           AS duplicates,
              count(*) FILTER (WHERE dnc)::int                                   AS dnc,
              count(*) FILTER (WHERE in_network)::int                            AS in_network,
              count(*) FILTER (WHERE in_network = (plan = 'prospect'))::int      AS plan_mismatch,
              count(*) FILTER (WHERE tenure_months NOT BETWEEN 0 AND 120)::int   AS bad_tenure,
              count(*) FILTER (WHERE spend_last_month NOT BETWEEN 20 AND 300
                                  OR spend_prev_month NOT BETWEEN 20 AND 300)::int AS bad_spend,
              count(*) FILTER (WHERE spend_last_month < spend_prev_month)::int   AS falling,
              count(*) FILTER (WHERE contract_end IS NOT NULL)::int              AS contract,
              count(*) FILTER (WHERE contract_end NOT BETWEEN current_date AND current_date + 365)::int
                                                                                 AS bad_contract,
              count(*) FILTER (WHERE complaints_90d = 0)::int                    AS no_complaints,
              max(complaints_90d)::int                                           AS max_complaints,
              min(complaints_90d)::int                                           AS min_complaints,
              count(*) FILTER (WHERE arrears = 0)::int                           AS no_arrears,
              count(*) FILTER (WHERE arrears < 0)::int                           AS negative_arrears,
              count(*) FILTER (WHERE cardinality(services) > 0)::int             AS with_services,
              count(*) FILTER (WHERE NOT services <@ $3::text[])::int            AS unknown_services,
              count(*) FILTER (WHERE name !~ '^[A-Z][a-z]+ [A-Z][a-z]+$')::int   AS bad_name,
              count(*) FILTER (WHERE position(city IN address) = 0)::int         AS address_without_city,
              count(DISTINCT region)::int                                        AS regions,
              count(churned_at)::int                                             AS churned,
              count(*) FILTER (WHERE churned_at IS NOT NULL AND (NOT in_network
                                  OR churned_at NOT BETWEEN current_date - 179 AND current_date))::int AS bad_churn
       FROM customers WHERE id BETWEEN $1 AND $2`,
      [FIRST, LAST, [...OWNED_SERVICE_CODES]],
    );
    expect(s.total).toBe(COUNT);
    expect(s.invalid).toBeGreaterThan(15); // ~1%
    expect(s.invalid).toBeLessThan(100);
    expect(s.bad_prefix).toBe(0);
    expect(s.duplicates).toBeGreaterThan(15); // ~1%
    expect(s.duplicates).toBeLessThan(100);
    expect(s.dnc).toBeGreaterThan(90); // ~3%
    expect(s.dnc).toBeLessThan(230);
    expect(s.in_network).toBeGreaterThan(3700); // ~80%
    expect(s.in_network).toBeLessThan(4300);
    expect(s.plan_mismatch).toBe(0);
    expect(s.bad_tenure).toBe(0);
    expect(s.bad_spend).toBe(0);
    expect(s.falling).toBeGreaterThan(1000); // ~30%
    expect(s.falling).toBeLessThan(2000);
    expect(s.contract).toBeGreaterThan(2600); // ~60%
    expect(s.contract).toBeLessThan(3400);
    expect(s.bad_contract).toBe(0);
    expect(s.no_complaints).toBeGreaterThan(0.8 * COUNT); // mostly none
    expect(s.no_complaints).toBeLessThan(COUNT);
    expect(s.min_complaints).toBe(0);
    expect(s.max_complaints).toBeLessThanOrEqual(5);
    expect(s.no_arrears).toBeGreaterThan(0.9 * COUNT);
    expect(s.no_arrears).toBeLessThan(COUNT);
    expect(s.negative_arrears).toBe(0);
    expect(s.with_services).toBeGreaterThan(500);
    expect(s.with_services).toBeLessThan(2000);
    expect(s.unknown_services).toBe(0);
    expect(s.bad_name).toBe(0);
    expect(s.address_without_city).toBe(0);
    expect(s.regions).toBe(REGIONS.length);
    expect(s.churned).toBeGreaterThan(40); // ~2% of in-network: ~80
    expect(s.churned).toBeLessThan(130);
    expect(s.bad_churn).toBe(0);

    const plans = await db.query<{ plan: string }>(
      'SELECT DISTINCT plan FROM customers WHERE id BETWEEN $1 AND $2',
      [FIRST, LAST],
    );
    expect(new Set(plans.rows.map((r) => r.plan))).toEqual(new Set(PLANS));

    const cities = await db.query<{ region: string; city: string }>(
      'SELECT DISTINCT region, city FROM customers WHERE id BETWEEN $1 AND $2',
      [FIRST, LAST],
    );
    for (const { region, city } of cities.rows) {
      const cityList: readonly string[] = REGIONS.find((r) => r.code === region)!.cities;
      expect(cityList).toContain(city);
    }
  });

  it('fills the do-not-call register with a hash-chosen share of well-formed numbers', async () => {
    const opts = { seed: SEED, fraction: 0.02, fromId: FIRST, toId: LAST };
    const { inserted } = await generateDncRegister(db, opts);
    expect(inserted).toBeGreaterThan(40); // ~100 of 5000
    expect(inserted).toBeLessThan(170);
    expect((await generateDncRegister(db, opts)).inserted).toBe(0);
    const r = await one<{ listed: number; malformed: number }>(
      `SELECT count(*)::int AS listed, count(*) FILTER (WHERE d.msisdn !~ '^1[0-9]{10}$')::int AS malformed
       FROM dnc_numbers d WHERE d.msisdn IN (SELECT msisdn FROM customers WHERE id BETWEEN $1 AND $2)`,
      [FIRST, LAST],
    );
    expect(r.listed).toBeGreaterThanOrEqual(inserted);
    expect(r.malformed).toBe(0);
  });

  it('rejects bad options', async () => {
    await expect(generateCustomers(db, { count: -1 })).rejects.toThrow(RangeError);
    await expect(generateCustomers(db, { count: 1.5 })).rejects.toThrow(RangeError);
    await expect(generateCustomers(db, { count: 1, firstId: 0 })).rejects.toThrow(RangeError);
    await expect(generateDncRegister(db, { fraction: 2 })).rejects.toThrow(RangeError);
    expect(await generateCustomers(db, { count: 0, firstId: FIRST })).toEqual({ inserted: 0 });
  });
});
