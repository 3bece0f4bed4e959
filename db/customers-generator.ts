import { seedLogistics } from './logistics/reference-data';
import type { Queryable } from './queryable';

/**
 * A synthetic customer base for demos, tests and load runs.
 *
 * Every value of a row is a pure function of (seed, customer id): it is drawn from a 64-bit hash in
 * SQL, never from random(), so the same seed gives the same rows however the ids are split into
 * batches, and a second run inserts nothing (`ON CONFLICT DO NOTHING`). The only exception is
 * contract_end, which is an offset from the day of generation ("ends within the next year").
 *
 * The whole batch is one set-based statement over generate_series, so millions of rows are one
 * round trip; the lists below travel as array parameters and are indexed per row.
 */

export { OWNED_SERVICE_CODES, PLANS, REGIONS, type PlanCode, type Region, type RegionCode } from './customer-reference';
import { REGIONS, type PlanCode } from './customer-reference';

/** Share (in %) of the in-network base on each paid plan. */
const PLAN_WEIGHTS: Record<Exclude<PlanCode, 'prospect'>, number> = {
  'basic-38': 35,
  'plus-58': 30,
  'family-88': 20,
  'unlimited-128': 15,
};

/** Mobile prefixes of the 13x/15x/18x blocks. */
const MSISDN_PREFIXES = [
  '130', '131', '132', '133', '134', '135', '136', '137', '138', '139',
  '150', '151', '152', '153', '155', '156', '157', '158', '159',
  '180', '181', '182', '183', '184', '185', '186', '187', '188', '189',
];

const SURNAMES = [
  'Wang', 'Li', 'Zhang', 'Liu', 'Chen', 'Yang', 'Huang', 'Zhao', 'Wu', 'Zhou', 'Xu', 'Sun', 'Ma',
  'Zhu', 'Hu', 'Guo', 'He', 'Lin', 'Luo', 'Gao', 'Zheng', 'Liang', 'Xie', 'Song', 'Tang', 'Han',
];
const GIVEN_NAMES = [
  'Wei', 'Fang', 'Na', 'Min', 'Jing', 'Li', 'Qiang', 'Lei', 'Jun', 'Yang', 'Yong', 'Yan', 'Jie',
  'Juan', 'Tao', 'Ming', 'Chao', 'Xiuying', 'Xia', 'Ping', 'Gang', 'Hui', 'Jianhua', 'Haiyan',
  'Zhiqiang', 'Xiaoming', 'Lina', 'Guilan', 'Shuang', 'Hao', 'Yuting', 'Zihan', 'Haoran', 'Xinyi',
];
const STREETS = [
  'Zhongshan Lu', 'Renmin Lu', 'Jiefang Lu', 'Jianshe Lu', 'Heping Lu', 'Changjiang Lu',
  'Huaihai Lu', 'Nanjing Lu', 'Xinhua Jie', 'Wenhua Lu', 'Yingbin Dadao', 'Binhe Lu',
  'Chaoyang Lu', 'Dongfeng Lu', 'Xingfu Jie', 'Kaifa Dadao', 'Beijing Lu', 'Shengli Lu',
  'Youyi Lu', 'Gongyuan Lu', 'Huanshi Lu', 'Jinxiu Lu',
];

/** Expands weights into a lookup list, so "pick by weight" is one array index in SQL. */
function weightedPicks<T>(items: readonly T[], weightOf: (t: T) => number): T[] {
  const out: T[] = [];
  for (const item of items) for (let k = 0; k < weightOf(item); k++) out.push(item);
  return out;
}

const REGION_PICKS = weightedPicks(REGIONS.map((_, i) => i + 1), (i) => REGIONS[i - 1]!.weight);
const PLAN_PICKS = weightedPicks(Object.keys(PLAN_WEIGHTS) as (keyof typeof PLAN_WEIGHTS)[], (p) => PLAN_WEIGHTS[p]);
const CITY_LIST = REGIONS.flatMap((r) => [...r.cities]);
const CITY_START: number[] = [];
const CITY_COUNT: number[] = [];
{
  let start = 1;
  for (const r of REGIONS) {
    CITY_START.push(start);
    CITY_COUNT.push(r.cities.length);
    start += r.cities.length;
  }
}

/** Upserts REGIONS into `regions`; rewrites a row only when it differs. */
export async function seedRegions(db: Queryable): Promise<void> {
  await db.query(
    `INSERT INTO regions (code, name, time_zone)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
     ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, time_zone = EXCLUDED.time_zone
       WHERE (regions.name, regions.time_zone) IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.time_zone)`,
    [REGIONS.map((r) => r.code), REGIONS.map((r) => r.name), REGIONS.map((r) => r.timeZone)],
  );
  await seedLogistics(db);
}

export interface GenerateCustomersOptions {
  count: number;
  /** Same seed, same rows. Default 1. */
  seed?: number;
  /** First customer id; ids are firstId..firstId+count-1. Default 1. */
  firstId?: number;
}

const MAX_BATCH = 50_000_000;

function checkInt(name: string, v: number, min: number, max: number): void {
  if (!Number.isSafeInteger(v) || v < min || v > max) {
    throw new RangeError(`${name} must be an integer in ${min}..${max}, got ${v}`);
  }
}

/** The non-negative 63-bit hash of customer `idExpr` for the column salt `saltExpr`. */
const H = (idExpr: string, saltExpr: string): string =>
  `(hashint8extended(${idExpr}, ${saltExpr}) & 9223372036854775807)`;

/** A clean 11-digit number from one hash: a 13x/15x/18x prefix and 8 digits. */
const msisdnFrom = (u: string): string =>
  `(($5::text[])[1 + (${u} / 100000000 % cardinality($5::text[]))::int] || lpad((${u} % 100000000)::text, 8, '0'))`;

/**
 * One statement. The innermost query draws one hash per topic per row; each hash is then split
 * into independent "digits" (u % A, u / A % B, ...). OFFSET 0 on each layer keeps the planner from
 * inlining it and recomputing the hashes once per use.
 *
 * Distributions (per mille of rows): msisdn 5 too short, 5 with a letter, 10 the number of a
 * customer 1..97 ids lower (a duplicate), the rest clean; dnc 30; in-network 800. Prospects get
 * plan 'prospect', tenure 0, no contract, complaints, arrears or services. Spend 20..300, 30%
 * falling 10-50% month over month, the rest flat or up to 20% higher. Contract end within 0..365
 * days for 75% of in-network (60% of all). Complaints: 85% none, else 1..5 skewed low. Arrears:
 * 5% of in-network, 10..500. Services: 10% video, 6% music, 5% family share, 6% fiber, 3% two of
 * them (of in-network). Churn: 2% of in-network left on a day within the last 180 days (churned_at,
 * like contract_end an offset from the day of generation); the rest have none.
 */
const GENERATE_SQL = `
WITH k AS (
  SELECT hashtextextended($1::text || ':msisdn', 0)      AS s_num,
         hashtextextended($1::text || ':msisdn-kind', 0) AS s_kind,
         hashtextextended($1::text || ':region', 0)      AS s_region,
         hashtextextended($1::text || ':profile', 0)     AS s_profile,
         hashtextextended($1::text || ':plan', 0)        AS s_plan,
         hashtextextended($1::text || ':spend', 0)       AS s_spend,
         hashtextextended($1::text || ':contract', 0)    AS s_contract,
         hashtextextended($1::text || ':care', 0)        AS s_care,
         hashtextextended($1::text || ':address', 0)     AS s_address
)
INSERT INTO customers (id, msisdn, name, region, city, plan, in_network, tenure_months,
                       spend_last_month, spend_prev_month, contract_end, complaints_90d, arrears,
                       dnc, address, services, churned_at)
SELECT id,
       CASE WHEN kind < 5  THEN left(num, 7 + (u_kind / 1000 % 3)::int)
            WHEN kind < 10 THEN overlay(num PLACING (ARRAY['O', 'l', 'x', 'A'])[1 + (u_kind / 1000 % 4)::int]
                                        FROM 4 + (u_kind / 4000 % 7)::int FOR 1)
            WHEN kind < 20 AND id - dup_back >= 1
              THEN ${msisdnFrom(H('id - dup_back', 's_num'))}
            ELSE num END,
       name, region, city,
       CASE WHEN in_network THEN ($9::text[])[1 + (u_plan % cardinality($9::text[]))::int] ELSE 'prospect' END,
       in_network,
       CASE WHEN in_network THEN (u_plan / 100 % 121)::int ELSE 0 END,
       (CASE WHEN falling THEN greatest(2000, prev_c * (50 + u_spend / 2800100 % 41) / 100)
             ELSE least(30000, prev_c * (100 + u_spend / 2800100 % 21) / 100) END)::numeric / 100,
       prev_c::numeric / 100,
       CASE WHEN in_network AND u_contract % 100 < 75 THEN current_date + (u_contract / 100 % 366)::int END,
       CASE WHEN NOT in_network THEN 0
            WHEN care < 850 THEN 0 WHEN care < 930 THEN 1 WHEN care < 970 THEN 2
            WHEN care < 985 THEN 3 WHEN care < 995 THEN 4 ELSE 5 END,
       CASE WHEN in_network AND u_care / 1000 % 100 < 5 THEN (1000 + u_care / 100000 % 49001)::numeric / 100
            ELSE 0 END,
       u_profile / 1000 % 1000 < 30,
       'Rm ' || (1 + u_address % 32) * 100 + 1 + u_address / 32 % 6
         || ', Bldg ' || 1 + u_address / 192 % 20
         || ', No. ' || 1 + u_address / 3840 % 399
         || ' ' || ($4::text[])[1 + (u_address / 1532160 % cardinality($4::text[]))::int]
         || ', ' || city,
       CASE WHEN NOT in_network THEN '{}'::text[]
            WHEN svc < 100 THEN '{vas-video}'::text[]
            WHEN svc < 160 THEN '{vas-music}'::text[]
            WHEN svc < 210 THEN '{family-share}'::text[]
            WHEN svc < 270 THEN '{fiber-300}'::text[]
            WHEN svc < 290 THEN '{vas-video,fiber-300}'::text[]
            WHEN svc < 300 THEN '{vas-music,family-share}'::text[]
            ELSE '{}'::text[] END,
       CASE WHEN in_network AND u_care / 4900100000 % 1000 < 20 THEN current_date - (u_care / 4900100000000 % 180)::int END
FROM (
  SELECT id, s_num, u_kind, u_plan, u_spend, u_contract, u_care, u_profile, u_address,
         (u_kind % 1000)::int                 AS kind,
         1 + u_kind / 100000 % 97             AS dup_back,
         ${msisdnFrom('u_num')}               AS num,
         u_profile % 1000 < 800               AS in_network,
         2000 + u_spend % 28001               AS prev_c,
         u_spend / 28001 % 100 < 30           AS falling,
         (u_care % 1000)::int                 AS care,
         (u_plan / 12100 % 1000)::int         AS svc,
         ($2::text[])[1 + (u_profile / 1000000 % cardinality($2::text[]))::int] || ' '
           || ($3::text[])[1 + (u_profile / 1000000 / cardinality($2::text[]) % cardinality($3::text[]))::int] AS name,
         ($6::text[])[ri]                     AS region,
         ($8::text[])[($11::int[])[ri] + (u_region / 1000 % ($12::int[])[ri])::int] AS city
  FROM (
    SELECT i AS id, k.s_num,
           ${H('i', 'k.s_num')}      AS u_num,
           ${H('i', 'k.s_kind')}     AS u_kind,
           ${H('i', 'k.s_region')}   AS u_region,
           ${H('i', 'k.s_profile')}  AS u_profile,
           ${H('i', 'k.s_plan')}     AS u_plan,
           ${H('i', 'k.s_spend')}    AS u_spend,
           ${H('i', 'k.s_contract')} AS u_contract,
           ${H('i', 'k.s_care')}     AS u_care,
           ${H('i', 'k.s_address')}  AS u_address
    FROM generate_series($10::bigint, $10::bigint + $13::bigint - 1) AS i, k
    OFFSET 0
  ) hashes,
  LATERAL (SELECT ($7::int[])[1 + (u_region % cardinality($7::int[]))::int] AS ri) r
  OFFSET 0
) v
ON CONFLICT (id) DO NOTHING`;

/**
 * Inserts customers firstId..firstId+count-1 (regions must be seeded first). Existing ids are left
 * as they are. Returns how many rows were new.
 */
export async function generateCustomers(
  db: Queryable,
  opts: GenerateCustomersOptions,
): Promise<{ inserted: number }> {
  const seed = opts.seed ?? 1;
  const firstId = opts.firstId ?? 1;
  checkInt('count', opts.count, 0, MAX_BATCH);
  checkInt('seed', seed, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  checkInt('firstId', firstId, 1, Number.MAX_SAFE_INTEGER - opts.count);
  if (opts.count === 0) return { inserted: 0 };
  const result = await db.query(GENERATE_SQL, [
    String(seed), // $1
    SURNAMES, // $2
    GIVEN_NAMES, // $3
    STREETS, // $4
    MSISDN_PREFIXES, // $5
    REGIONS.map((r) => r.code), // $6
    REGION_PICKS, // $7
    CITY_LIST, // $8
    PLAN_PICKS, // $9
    firstId, // $10
    CITY_START, // $11
    CITY_COUNT, // $12
    opts.count, // $13
  ]);
  return { inserted: result.rowCount ?? 0 };
}

export interface GenerateDncRegisterOptions {
  /** Same seed, same numbers. Default 1. */
  seed?: number;
  /** Share of customers whose number goes on the register. Default 0.005. */
  fraction?: number;
  /** Only customers with id >= fromId (default: all). */
  fromId?: number;
  /** Only customers with id <= toId (default: all). */
  toId?: number;
}

/**
 * Puts the well-formed numbers of ~fraction of the customers (chosen by hash of seed and id) on the
 * global do-not-call register. Numbers already there are left as they are.
 */
export async function generateDncRegister(
  db: Queryable,
  opts: GenerateDncRegisterOptions = {},
): Promise<{ inserted: number }> {
  const seed = opts.seed ?? 1;
  const fraction = opts.fraction ?? 0.005;
  checkInt('seed', seed, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  if (!Number.isFinite(fraction) || fraction < 0 || fraction > 1) {
    throw new RangeError(`fraction must be in 0..1, got ${fraction}`);
  }
  const fromId = opts.fromId ?? 1;
  const toId = opts.toId ?? Number.MAX_SAFE_INTEGER;
  checkInt('fromId', fromId, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  checkInt('toId', toId, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  const perMillion = Math.round(fraction * 1_000_000);
  if (perMillion === 0 || toId < fromId) return { inserted: 0 };
  const result = await db.query(
    `WITH k AS (SELECT hashtextextended($1::text || ':dnc-register', 0) AS s)
     INSERT INTO dnc_numbers (msisdn, reason)
     SELECT DISTINCT ON (c.msisdn) c.msisdn,
            (ARRAY['customer request', 'customer request', 'customer request', 'regulator list', 'complaint'])
              [1 + ((hashint8extended(c.id, k.s) & 9223372036854775807) / 1000000 % 5)::int]
     FROM customers c, k
     WHERE c.id BETWEEN $3 AND $4
       AND (hashint8extended(c.id, k.s) & 9223372036854775807) % 1000000 < $2
       AND c.msisdn ~ '^1[0-9]{10}$'
     ORDER BY c.msisdn, c.id
     ON CONFLICT (msisdn) WHERE removed_at IS NULL DO NOTHING`,
    [String(seed), perMillion, fromId, toId],
  );
  return { inserted: result.rowCount ?? 0 };
}
