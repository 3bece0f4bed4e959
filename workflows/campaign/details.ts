import { setCurrentDetails } from '@temporalio/workflow';
import type { CampaignState } from './state';
import { FUNNEL_STEPS } from '../../domain/reports/funnel';
import { describeActor, type Actor } from '../../domain/access/roles';

/** The reporting module's funnel as last read (the API's GET /campaigns/:id has it live). */
function funnelTable(state: CampaignState): string {
  const reading = state.funnel;
  if (!reading) return `Listed ${state.listed}, accepted ${state.accepted}, ordered ${state.ordered} (this run's counts).\n\n`;
  const f = reading.funnel;
  return `Funnel as of ${reading.asOf.slice(11, 16)} UTC (leads; orders from *ordered* on):\n\n` +
    `| ${FUNNEL_STEPS.join(' | ')} |\n|${FUNNEL_STEPS.map(() => '---|').join('')}\n| ${FUNNEL_STEPS.map((k) => f[k]).join(' | ')} |\n\n`;
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
const hhmm = (iso: string) => iso.slice(0, 16).replace('T', ' ');
const by = (actor: Actor | undefined) => (actor ? ` by ${describeActor(actor)}` : '');

const pct = (x: number | null | undefined) => (x === null || x === undefined ? '–' : `${(x * 100).toFixed(1)}%`);

/** The campaign as an operator reads it in the Temporal UI: status, notes, counters, pacing, limits. */
export function showDetails(state: CampaignState): void {
  const { def, pacingState: p } = state;
  const agents = p?.pool ? `${p.pool.available} of ${p.pool.agents} agents free, ${p.pool.ringing} ringing` : def.team ? `team ${def.team}` : 'no team (unattended)';
  // Every run says what the campaign is (the summary set at start shows on the first run only).
  const notes = [
    state.cancelInfo ? `**Cancelled** at ${hhmm(state.cancelInfo.at)} UTC${by(state.cancelInfo.by)}: ${state.cancelInfo.reason}.` : '',
    state.lastControl && !state.cancelInfo ? `Last control: ${state.lastControl.action} at ${hhmm(state.lastControl.at)} UTC${by(state.lastControl.by)}.` : '',
    state.handingOver ? `Handing over to run ${state.run + 2}: agents are asked to retry in a second.` : '',
    state.confirming() ? `The end waits for the dialer to confirm ${plural(state.confirming(), 'call')} it may have taken while it did not answer.` : '',
    state.outages.describe(),
    state.leadFailures ? `${state.leadFailures} lead${state.leadFailures === 1 ? '' : 's'} failed (GET /campaigns/${state.campaignId}/lead-failures says why).` : '',
  ].filter(Boolean).map((line) => `${line}\n\n`).join('');
  setCurrentDetails(
    `**${def.name}**: ${def.offer.name} (${def.offer.code}) · ${state.status()}${state.paused ? ' (paused: no new calls)' : ''}\n\n` + notes +
      funnelTable(state) +
      `Calls: ${state.attempts} placed, ${state.connected} connected, ${state.abandoned} abandoned, ${state.inFlight()} in flight now.\n\n` +
      `Pacing: **${def.pacing.mode}**` +
      (def.pacing.mode === 'predictive' ? ` · ${p?.ratio ?? def.pacing.callsPerAgent} calls per free agent · abandon rate ${pct(p?.abandonRate)} (cap ${pct(def.pacing.maxAbandonRate)})` : '') +
      ` · ${agents}${p ? ` · limited by ${p.limitedBy}` : ''}\n\n` +
      `At most ${def.dialing.maxConcurrentCalls} calls at once, ${def.dialing.maxAttempts} attempts per lead; ` +
      `calls ${def.window.start}–${def.window.end} local time. Run ${state.run + 1}.`,
  );
}
