import { addHotlineCounts, emptyHotlineCounts, hotlineLine, targetInForce, type HotlineLine } from '../../domain/reports/hotline';
import { dayAt, monthAt } from '../../domain/sales-points/month';
import { readHotlineReport, readShareTargets } from '../../db/reports/hotline-sql';
import type { Db } from '../../infra/db';

export interface HotlineTeam {
  team: string;
  line: HotlineLine;
}

export interface HotlinePanel {
  /** This month so far, in the operator's zone (local days, inclusive). */
  period: { from: string; to: string };
  month: string;
  /** The share target in force this month. */
  target: number | null;
  /** The teams that handled calls, the highest marketing share first. */
  teams: HotlineTeam[];
  /** Every interaction of the month: all teams, and the self-service visits. */
  totals: HotlineLine;
}

/**
 * This month's hotline marketing (seed 003), from GET /reports/hotline's figures: the marketing
 * share of each team's calls against the month's target, and the recommendations and successes
 * per channel over everything.
 */
export async function readHotlinePanel(db: Db, timeZone: string, now = new Date()): Promise<HotlinePanel> {
  const month = monthAt(now, timeZone);
  const period = { from: `${month}-01`, to: dayAt(now, timeZone) };
  const [groups, targets] = await Promise.all([
    readHotlineReport(db, { ...period, groupBy: ['team'], filters: {}, timeZone }),
    readShareTargets(db),
  ]);
  const totals = groups.reduce((sum, g) => addHotlineCounts(sum, g.counts), emptyHotlineCounts());
  const teams = groups.filter((g) => g.group.team && g.counts.callsHandled > 0)
    .map((g) => ({ team: g.group.team!, line: hotlineLine(g.group, g.counts) }))
    .sort((a, b) => (b.line.rates.marketingShare ?? 0) - (a.line.rates.marketingShare ?? 0) || a.team.localeCompare(b.team));
  return { period, month, target: targetInForce(targets, month)?.share ?? null, teams, totals: hotlineLine({}, totals) };
}
