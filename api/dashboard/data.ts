import type { Db } from '../../infra/db';
import { emptyCounts } from '../../domain/reports/figures';
import { withRates, type ReportLine } from '../../domain/reports/report';
import { abandonRate } from '../../domain/campaign/pacing';
import { HELD_AGE_BANDS } from '../../domain/dispatch/held-deliveries';
import { readReport } from '../../db/reports/report-sql';
import { refreshForReport } from '../../db/reports/rollups';
import { readRoi } from '../../db/reports/roi-sql';
import { DEFAULT_REVENUE_MONTHS, roiFigures } from '../../domain/reports/roi';
import { latestLocalDay } from '../../db/reports/local-days-sql';
import { LIVE_STATUSES, readCallsPerMinute, readCampaignPaces, type CampaignPace } from '../../db/campaign/live-campaigns-sql';
import { agentNames } from '../../db/campaign/agent-names-sql';
import { readHeldByRegionAge, type HeldBand } from '../../db/dispatch/held-deliveries-sql';
import { readShortages, type Shortage } from '../../db/logistics/shortages-sql';
import { MAX_REPORT_DAYS } from '../reports/report-query';
import { readSalesPointsPanel, type SalesPointsPanel } from './sales-points-data';
import { readHotlinePanel, type HotlinePanel } from './hotline-data';

/** A report's period: local days, inclusive (as GET /reports/funnel takes them). */
export interface Period {
  from: string;
  to: string;
}

/** A campaign's cost and return, as the ROI section shows them. */
export interface RoiLine {
  campaignId: string;
  name?: string;
  cost: number;
  revenue: number;
  /** (revenue − cost) ÷ cost; null without a cost. */
  roi: number | null;
}

/** Where the "ROI per campaign" section reads from: the ROI module unless the caller gives another. */
export type RoiSource = (period: Period) => Promise<RoiLine[]>;

/** ROI per campaign over a period, as GET /reports/roi?groupBy=campaign answers it (net revenue, default months). */
export const roiPerCampaign = (db: Db): RoiSource => async (period) =>
  (await readRoi(db, { ...period, groupBy: ['campaign'], filters: {} }, DEFAULT_REVENUE_MONTHS))
    .filter((g) => g.group.campaign)
    .map((g) => {
      const f = roiFigures(g.sums, DEFAULT_REVENUE_MONTHS);
      return { campaignId: g.group.campaign!, cost: f.totalCost, revenue: f.revenue.net, roi: f.roi };
    })
    .sort((a, b) => b.revenue - a.revenue || a.campaignId.localeCompare(b.campaignId));

export interface CampaignView extends CampaignPace {
  /** Its totals from the reporting module over the campaigns' period. */
  funnel: ReportLine;
  /** Abandoned ÷ answered over its recent answered calls (null: too few to judge). */
  abandonRate: number | null;
  /** Calls that rang per minute, the current minute first (live campaigns only). */
  callsPerMinute: number[];
}

export interface AgentLine extends ReportLine {
  agent: string;
  name: string | null;
}

export interface HeldRegion {
  region: string;
  /** Held orders per age band (HELD_AGE_BANDS). */
  bands: number[];
  total: number;
  escalated: number;
}

export interface DashboardData {
  asOf: Date;
  campaigns: { period: Period; live: CampaignView[]; ended: CampaignView[] };
  daily: { period: Period; rows: ReportLine[] };
  agents: { period: Period; top: AgentLine[]; count: number };
  roi: { period: Period; rows: RoiLine[] };
  held: HeldRegion[];
  backorders: Shortage[];
  salesPoints: SalesPointsPanel;
  hotline: HotlinePanel;
}

/** Days of the calls-and-sales chart and of the leaderboard. */
export const RECENT_DAYS = 30;
/** Agents on the leaderboard. */
export const LEADERBOARD_SIZE = 25;
/** Minutes of the pacing chart. */
export const PACE_MINUTES = 60;
/** Ended campaigns shown beside the live ones: the last ones to end within a day. */
const ENDED = { endedWithinHours: 24, endedLimit: 10 };

const DAY_MS = 86_400_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const daysBefore = (day: string, n: number) => dayOf(Date.parse(`${day}T00:00:00Z`) - n * DAY_MS);

const zeroLine = (group: ReportLine['group']): ReportLine =>
  withRates({ group, counts: emptyCounts(), agentHours: null, retention: { known: 0, lost: 0 } });

/**
 * Everything the page shows, read once per page: the reporting module's figures (its rollups
 * brought up to date first), the campaigns' pacing from Postgres, the dispatch queue and the
 * backorders. A fixed number of statements, however many campaigns or agents; no Temporal call.
 */
export async function readDashboard(db: Db, timeZone: string, roi: RoiSource = roiPerCampaign(db)): Promise<DashboardData> {
  await refreshForReport(db);
  const to = await latestLocalDay(db);
  const recent: Period = { from: daysBefore(to, RECENT_DAYS - 1), to };
  const paces = await readCampaignPaces(db, ENDED);
  // A campaign's facts all come after its launch: one period from the day before the first shown
  // launched (for the zones behind UTC) gives each its whole funnel.
  const firstLaunch = Math.min(Date.parse(`${to}T00:00:00Z`), ...paces.map((c) => c.createdAt.getTime()));
  const campaignPeriod: Period = { from: [daysBefore(dayOf(firstLaunch), 1), daysBefore(to, MAX_REPORT_DAYS - 1)].sort().at(-1)!, to };
  const live = paces.filter((c) => LIVE_STATUSES.includes(c.status));

  const [byCampaign, daily, byAgent, perMinute, held, backorders, roiRows, salesPoints, hotline] = await Promise.all([
    paces.length ? readReport(db, { ...campaignPeriod, groupBy: ['campaign'], filters: {} }) : Promise.resolve([]),
    readReport(db, { ...recent, groupBy: ['day'], filters: {} }),
    readReport(db, { ...recent, groupBy: ['agent'], filters: {} }),
    readCallsPerMinute(db, live.map((c) => c.id), PACE_MINUTES),
    readHeldByRegionAge(db),
    readShortages(db),
    roi(recent),
    readSalesPointsPanel(db, timeZone),
    readHotlinePanel(db, timeZone),
  ]);

  const funnels = new Map(byCampaign.map((g) => [g.group.campaign ?? '', withRates(g)]));
  const view = (c: CampaignPace): CampaignView => ({
    ...c,
    funnel: funnels.get(c.id) ?? zeroLine({ campaign: c.id }),
    abandonRate: abandonRate({ answered: c.answered, abandoned: c.abandoned }),
    callsPerMinute: perMinute.get(c.id) ?? [],
  });

  // The leaderboard: agents by sales, then calls; calls no agent took ('') are nobody's.
  const agents = byAgent.filter((g) => g.group.agent).map((g) => withRates(g, true))
    .sort((a, b) => b.counts.accepted - a.counts.accepted || b.counts.calls - a.counts.calls || a.group.agent!.localeCompare(b.group.agent!));
  const top = agents.slice(0, LEADERBOARD_SIZE);
  const names = await agentNames(db, top.map((a) => a.group.agent!));

  return {
    asOf: new Date(),
    campaigns: { period: campaignPeriod, live: live.map(view), ended: paces.filter((c) => !LIVE_STATUSES.includes(c.status)).map(view) },
    daily: { period: recent, rows: daily.map((g) => withRates(g)) },
    agents: { period: recent, top: top.map((a) => ({ ...a, agent: a.group.agent!, name: names.get(a.group.agent!) ?? null })), count: agents.length },
    roi: { period: recent, rows: roiRows },
    held: heldByRegion(held),
    backorders,
    salesPoints,
    hotline,
  };
}

/** The queue's counts as one row per region, the busiest first. */
function heldByRegion(bands: readonly HeldBand[]): HeldRegion[] {
  const regions = new Map<string, HeldRegion>();
  for (const b of bands) {
    const r = regions.get(b.region) ?? { region: b.region, bands: HELD_AGE_BANDS.map(() => 0), total: 0, escalated: 0 };
    r.bands[b.band] = (r.bands[b.band] ?? 0) + b.orders;
    r.total += b.orders;
    r.escalated += b.escalated;
    regions.set(b.region, r);
  }
  return [...regions.values()].sort((a, b) => b.total - a.total || a.region.localeCompare(b.region));
}
