import type { Db } from '../../infra/db';
import type { Month } from '../../domain/sales-points/month';
import { raiseBudgetAlerts } from '../../db/sales-points/budget-watch-sql';

/** The budget watch: provisional points against each budget, alerts at 80% and 100% (db/sales-points/budget-watch-sql.ts). */
export function createBudgetWatchActivities(deps: { db: Db; timeZone: string }) {
  return {
    /** Raises the budget alerts these months have reached; the new alerts' ids (a repeat raises none). */
    async watchPointsBudgets(months: Month[]): Promise<{ raised: number[] }> {
      return { raised: await raiseBudgetAlerts(deps.db, months, deps.timeZone) };
    },
  };
}
