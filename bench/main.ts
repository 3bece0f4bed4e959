import { runMain } from '../infra/process';
import { benchCampaign } from './campaign';
import { benchListPull } from './list-pull';
import { benchOrders } from './orders';
import { benchRecommendations } from './recommendations';
import { benchReports } from './reports';
import { benchSalesPoints } from './sales-points';

/** `npm run bench -- <name>`: one benchmark, its ratio printed and written to docs/benchmarks.md. */
const BENCHES: Record<string, () => Promise<void>> = {
  'list-pull': benchListPull,
  campaign: () => benchCampaign(),
  'campaign-scale': () => benchCampaign({ scale: true }),
  orders: benchOrders,
  recommendations: benchRecommendations,
  reports: benchReports,
  'sales-points': benchSalesPoints,
};

await runMain('bench', async () => {
  const name = process.argv[2];
  const bench = name ? BENCHES[name] : undefined;
  if (!bench) {
    console.error(`usage: npm run bench -- <${Object.keys(BENCHES).join('|')}>`);
    process.exit(2);
  }
  await bench();
});
