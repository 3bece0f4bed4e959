import type { Queryable } from '../queryable';

/**
 * Reference data for delivery: couriers, warehouses, and for each region the warehouse that ships
 * its orders and the courier that delivers them. Seeded with the regions; operations change it in
 * the tables (a region moved to another courier takes effect at the next booking).
 */
export const COURIERS = [
  { code: 'sf', name: 'SF Express' },
  { code: 'jd', name: 'JD Logistics' },
  { code: 'ems', name: 'China Post EMS' },
] as const;

export const WAREHOUSES = [
  { code: 'wh-south', name: 'Dongguan warehouse' },
  { code: 'wh-east', name: 'Suzhou warehouse' },
  { code: 'wh-north', name: 'Beijing warehouse' },
  { code: 'wh-west', name: 'Chengdu warehouse' },
] as const;

/** Region → where its orders ship from and who delivers them. */
export const REGION_LOGISTICS: Record<string, { warehouse: string; courier: string }> = {
  gd: { warehouse: 'wh-south', courier: 'sf' },
  hk: { warehouse: 'wh-south', courier: 'sf' },
  mo: { warehouse: 'wh-south', courier: 'sf' },
  sh: { warehouse: 'wh-east', courier: 'sf' },
  js: { warehouse: 'wh-east', courier: 'jd' },
  zj: { warehouse: 'wh-east', courier: 'jd' },
  bj: { warehouse: 'wh-north', courier: 'jd' },
  sc: { warehouse: 'wh-west', courier: 'ems' },
  xj: { warehouse: 'wh-west', courier: 'ems' },
};

/** Opening stock of every warehouse, given only where a warehouse has no row for the item yet. */
export const OPENING_STOCK: Record<string, number> = { 'sim-card': 100_000, handset: 2_000 };

export async function seedLogistics(db: Queryable): Promise<void> {
  await db.query(
    `INSERT INTO couriers (code, name) SELECT * FROM unnest($1::text[], $2::text[])
     ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name WHERE couriers.name IS DISTINCT FROM EXCLUDED.name`,
    [COURIERS.map((c) => c.code), COURIERS.map((c) => c.name)],
  );
  await db.query(
    `INSERT INTO warehouses (code, name) SELECT * FROM unnest($1::text[], $2::text[])
     ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name WHERE warehouses.name IS DISTINCT FROM EXCLUDED.name`,
    [WAREHOUSES.map((w) => w.code), WAREHOUSES.map((w) => w.name)],
  );
  const regions = Object.keys(REGION_LOGISTICS);
  // Only regions not routed yet: a mapping operations changed is theirs to keep.
  await db.query(
    `INSERT INTO region_logistics (region, warehouse, courier)
     SELECT u.region, u.warehouse, u.courier FROM unnest($1::text[], $2::text[], $3::text[]) AS u(region, warehouse, courier)
       JOIN regions r ON r.code = u.region
     ON CONFLICT (region) DO NOTHING`,
    [regions, regions.map((r) => REGION_LOGISTICS[r]!.warehouse), regions.map((r) => REGION_LOGISTICS[r]!.courier)],
  );
  const items = Object.entries(OPENING_STOCK);
  await db.query(
    `INSERT INTO stock (warehouse, sku, on_hand, received)
     SELECT w.code, i.sku, i.qty, i.qty FROM warehouses w CROSS JOIN unnest($1::text[], $2::int[]) AS i(sku, qty)
     ON CONFLICT (warehouse, sku) DO NOTHING`,
    [items.map(([sku]) => sku), items.map(([, qty]) => qty)],
  );
}
