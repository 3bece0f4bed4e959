import { z } from 'zod';

/**
 * How fast a campaign dials (seed 003's outbound floor, as predictive dialers do it):
 * - preview: the dialer places nothing by itself; an agent asks for the next lead, reads the
 *   customer's details and script, calls and reports the disposition through the API;
 * - progressive: one call per free agent of the campaign's team;
 * - predictive: `callsPerAgent` calls per free agent (most calls go unanswered, so agents wait less),
 *   braked towards one per agent while the share of abandoned calls (answered, but no agent was
 *   free) over the recent answered calls is above `maxAbandonRate`.
 * Whatever the mode, never more than `maxConcurrentCalls` of the campaign's calls at once.
 */
export const PACING_MODES = ['preview', 'progressive', 'predictive'] as const;
export type PacingMode = (typeof PACING_MODES)[number];

const pacingFields = {
  mode: z.enum(PACING_MODES),
  callsPerAgent: z.number().min(1).max(5),
  maxAbandonRate: z.number().min(0).max(0.2),
  abandonWindowCalls: z.number().int().min(10).max(10_000),
};

export const PacingSchema = z.strictObject({
  mode: pacingFields.mode.default('progressive'),
  /** predictive: calls placed per free agent before the abandon-rate brake (1.5 = three calls for two agents). */
  callsPerAgent: pacingFields.callsPerAgent.default(1.5),
  /** predictive: the cap on abandoned ÷ answered calls, 3% by default (a common regulatory limit). */
  maxAbandonRate: pacingFields.maxAbandonRate.default(0.03),
  /** The abandon rate is measured over this many of the campaign's most recent answered calls. */
  abandonWindowCalls: pacingFields.abandonWindowCalls.default(100),
});
export type Pacing = z.output<typeof PacingSchema>;

/** A change of pacing while the campaign runs: any field, the rest kept. */
export const PacingChangeSchema = z.strictObject({
  mode: pacingFields.mode.optional(),
  callsPerAgent: pacingFields.callsPerAgent.optional(),
  maxAbandonRate: pacingFields.maxAbandonRate.optional(),
  abandonWindowCalls: pacingFields.abandonWindowCalls.optional(),
});

/** The campaign team's agents as the dialer sees them now. */
export interface AgentPool {
  /** Agents logged in for the team. */
  agents: number;
  /** Agents waiting for a call. */
  available: number;
  /** The team's calls placed and not yet answered (each may need an agent soon). */
  ringing: number;
  /** Who is free, by agent id: a callback an agent promised waits for that agent. */
  free?: string[];
}

/** Fewer answered calls than this in the window: too few to judge the abandon rate, no brake. */
export const MIN_ANSWERED_TO_JUDGE = 20;

export interface AbandonStats {
  answered: number;
  abandoned: number;
}

export const abandonRate = (s: AbandonStats): number | null =>
  s.answered >= MIN_ANSWERED_TO_JUDGE ? s.abandoned / s.answered : null;

/**
 * Calls per free agent after the brake: the configured ratio while the abandon rate is within the
 * cap (or not yet measurable); above it, scaled down in proportion (twice the cap → half the
 * surplus over one), never below one call per agent (progressive), which cannot abandon by design.
 */
export function effectiveRatio(pacing: Pick<Pacing, 'callsPerAgent' | 'maxAbandonRate'>, rate: number | null): number {
  if (rate === null || rate <= pacing.maxAbandonRate) return pacing.callsPerAgent;
  const braked = 1 + (pacing.callsPerAgent - 1) * (pacing.maxAbandonRate / rate);
  return Math.max(1, Math.round(braked * 100) / 100);
}

export interface PacingDecision {
  /** Calls to place now. */
  calls: number;
  /** Calls per free agent used for this decision (1 for progressive, none without agents). */
  ratio: number | null;
  /** Why no more: the words an operator reads in the campaign details. */
  limitedBy: 'preview' | 'max calls in flight' | 'free agents';
}

/**
 * How many calls to place now. `inFlight` are the campaign's calls not yet ended; `pool` is the
 * team's agent pool, or null when the campaign has no team (an unattended campaign is limited by
 * maxConcurrentCalls alone).
 */
export function callsToPlace(input: {
  pacing: Pacing;
  maxConcurrentCalls: number;
  inFlight: number;
  pool: AgentPool | null;
  rate: number | null;
}): PacingDecision {
  const { pacing, pool } = input;
  const room = Math.max(0, input.maxConcurrentCalls - input.inFlight);
  if (pacing.mode === 'preview') return { calls: 0, ratio: null, limitedBy: 'preview' };
  if (!pool) return { calls: room, ratio: null, limitedBy: 'max calls in flight' };
  const ratio = pacing.mode === 'progressive' ? 1 : effectiveRatio(pacing, input.rate);
  const byAgents = Math.max(0, Math.floor(pool.available * ratio) - pool.ringing);
  return byAgents < room
    ? { calls: byAgents, ratio, limitedBy: 'free agents' }
    : { calls: room, ratio, limitedBy: 'max calls in flight' };
}
