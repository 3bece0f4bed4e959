// Bench-only workflows, bundled by the bench's own worker (never by workers/worker.ts).
import { condition, continueAsNew, defineSignal, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';

export interface BareActivities {
  /**
   * Does nothing, except that with `ticks` it has that many `tick` signals sent to the workflow
   * once it has returned: the bare form of placing a batch of calls whose ends come back by signal.
   */
  noop(input: { workflowId: string; ticks: number }): Promise<void>;
}

// The same timeouts and retry as the campaign's data activities (workflows/campaign/activities.ts).
const { noop } = proxyActivities<BareActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1s', maximumInterval: '30s' },
});

/** The bare form of the campaign's callEnded signal. */
export const tickSignal = defineSignal<[{ n: number }]>('tick');

export interface BareLoopInput {
  /** Activities to run in all, over every run. */
  activities: number;
  /** Signals to receive in all, over every run (0: activities only). */
  signals: number;
  /** At most this many activities in flight, and at most this many signals awaited. */
  concurrency: number;
  /** Hand over to a new run past this many history events, as the campaign does. */
  historyLimit: number;
  /** Carried across continue-as-new. */
  started?: number;
  requested?: number;
  received?: number;
  run?: number;
}

export interface BareLoopResult {
  activities: number;
  signals: number;
  runs: number;
}

/**
 * The bare baseline of the campaign loop, with no database, no HTTP and no logic: the same number
 * of activities, at most `concurrency` in flight; the same number of signals received, asked for in
 * batches of at most `concurrency` by an activity, the next batch once the last has come back (as
 * the campaign places calls whose ends come back by signal); and the same hand-over (drain the
 * activities in flight, then continue as new) at the same history length.
 */
export async function bareLoopWorkflow(input: BareLoopInput): Promise<BareLoopResult> {
  const C = input.concurrency;
  let started = input.started ?? 0;
  let requested = input.requested ?? 0;
  let received = input.received ?? 0;
  const run = input.run ?? 0;
  const { workflowId } = workflowInfo();
  let inFlight = 0;
  let fatal: unknown;
  setHandler(tickSignal, () => { received++; });

  const activitiesLeft = () => input.activities - started;
  const signalsLeft = () => input.signals - requested;
  /** Activities kept back so that every signal still to ask for has an activity to ask for it. */
  const reserve = () => Math.ceil(signalsLeft() / C);
  if (activitiesLeft() < reserve()) throw new Error(`${input.activities} activities cannot ask for ${input.signals} signals ${C} at a time`);
  const askNow = () => signalsLeft() > 0 && requested === received;
  const canLaunch = () => inFlight < C && activitiesLeft() > 0 && (askNow() || activitiesLeft() > reserve());
  const allDone = () => activitiesLeft() === 0 && received >= input.signals;
  const handOverDue = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= input.historyLimit;

  while (!allDone() && !handOverDue()) {
    if (fatal) throw fatal;
    while (canLaunch()) {
      const ticks = askNow() ? Math.min(C, signalsLeft()) : 0;
      inFlight++;
      started++;
      requested += ticks;
      noop({ workflowId, ticks })
        .catch((err) => { fatal ??= err; })
        .finally(() => { inFlight--; });
    }
    // Woken by a free slot or a signal, as the campaign is by a call's end.
    const seen = received;
    await condition(() => canLaunch() || received !== seen || allDone() || fatal !== undefined);
  }
  await condition(() => inFlight === 0);
  if (fatal) throw fatal;
  if (!allDone()) {
    return continueAsNew<typeof bareLoopWorkflow>({ ...input, started, requested, received, run: run + 1 });
  }
  return { activities: started, signals: received, runs: run + 1 };
}
