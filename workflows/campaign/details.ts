import { setCurrentDetails } from '@temporalio/workflow';
import type { CampaignState } from './state';

const pct = (x: number | null | undefined) => (x === null || x === undefined ? '–' : `${(x * 100).toFixed(1)}%`);

/** The campaign as an operator reads it in the Temporal UI: status, notes, counters, pacing, limits. */
export function showDetails(s: CampaignState): void {
  const { def, pacingState: p } = s;
  const agents = p?.pool ? `${p.pool.available} of ${p.pool.agents} agents free, ${p.pool.ringing} ringing` : def.team ? `team ${def.team}` : 'no team (unattended)';
  // Every run says what the campaign is (the summary set at start shows on the first run only).
  const notes = [
    s.cancelInfo ? `**Cancelled** at ${s.cancelInfo.at.slice(0, 16).replace('T', ' ')} UTC: ${s.cancelInfo.reason}.` : '',
    s.handingOver ? `Handing over to run ${s.run + 2}: agents are asked to retry in a second.` : '',
    s.outages.describe(),
    s.leadFailures ? `${s.leadFailures} lead${s.leadFailures === 1 ? '' : 's'} failed (GET /campaigns/${s.campaignId}/lead-failures says why).` : '',
  ].filter(Boolean).map((line) => `${line}\n\n`).join('');
  setCurrentDetails(
    `**${def.name}**: ${def.offer.name} (${def.offer.code}) · ${s.status()}${s.paused ? ' (paused: no new calls)' : ''}\n\n` + notes +
      `| listed | attempts | connected | abandoned | accepted | ordered | in flight |\n|---|---|---|---|---|---|---|\n` +
      `| ${s.listed} | ${s.attempts} | ${s.connected} | ${s.abandoned} | ${s.accepted} | ${s.ordered} | ${s.inFlight()} |\n\n` +
      `Pacing: **${def.pacing.mode}**` +
      (def.pacing.mode === 'predictive' ? ` · ${p?.ratio ?? def.pacing.callsPerAgent} calls per free agent · abandon rate ${pct(p?.abandonRate)} (cap ${pct(def.pacing.maxAbandonRate)})` : '') +
      ` · ${agents}${p ? ` · limited by ${p.limitedBy}` : ''}\n\n` +
      `At most ${def.dialing.maxConcurrentCalls} calls at once, ${def.dialing.maxAttempts} attempts per lead; ` +
      `calls ${def.window.start}–${def.window.end} local time. Run ${s.run + 1}.`,
  );
}
