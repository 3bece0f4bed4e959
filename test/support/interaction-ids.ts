import { randomInt } from 'node:crypto';
import type { Queryable } from '../../db/queryable';

/**
 * A hotline interaction's id names its workflow (hotline-interaction-<id>), and the run's databases
 * share one Temporal server: each test database's interactions start at an id of their own, so two
 * test files' interaction 1 are not one workflow.
 */
export async function interactionIdsApart(db: Queryable): Promise<void> {
  await db.query(`ALTER SEQUENCE hotline_interactions_id_seq RESTART WITH ${randomInt(1, 2 ** 40)}`);
}
