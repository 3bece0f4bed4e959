import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  isCancellation,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ClaimedLead } from '../activities/leads';
import {
  CampaignDefinitionSchema,
  DialingChangeSchema,
  controlRefusal,
  stopReason,
  type DialingChange,
  type DialingPolicy,
  type EndReason,
  type CampaignDefinition,
  type CampaignStatus,
} from '../domain/campaign';
import { nextLeadStep, type AttemptDisposition } from '../domain/dialing';
import { salesCallId } from '../domain/ids';
import { CampaignStatusKey } from './search-attributes';
import { data, telephony } from './activity-proxies';

// ---- Messages: what clients may ask of a running campaign ----------------------------------

export interface CampaignProgress {
  campaignId: string;
  status: CampaignStatus;
  listed: number;
  attempts: number;
  connected: number;
  accepted: number;
  ordered: number;
  inFlight: number;
  dialing: DialingPolicy;
  /** Set once the campaign stopped calling: the list was finished, the quota or end date reached, or it was cancelled. */
  endedBecause?: EndReason;
  /** How many times the workflow has continued as new (history hand-overs). */
  run: number;
}

export const progressQuery = defineQuery<CampaignProgress>('progress');
export const pauseUpdate = defineUpdate<CampaignProgress>('pause');
export const resumeUpdate = defineUpdate<CampaignProgress>('resume');
export const cancelUpdate = defineUpdate<CampaignProgress>('cancel');
/** Stop one lead now (the customer complained, asked not to be called): no further attempt. */
export const stopLeadSignal = defineSignal<[{ leadId: number; reason: string }]>('stopLead');
/** Tune the dialing while the campaign runs; a bad value is refused and changes nothing. */
export const updateDialingUpdate = defineUpdate<CampaignProgress, [DialingChange]>('updateDialing');

// ---- Input and the state carried across continue-as-new --------------------------------------

interface CarriedState {
  listed: number;
  attempts: number;
  connected: number;
  accepted: number;
  ordered: number;
  paused: boolean;
  run: number;
  /** Stop requests that came in while the previous run handed over. */
  stops?: { leadId: number; reason: string }[];
}

export interface CampaignWorkflowInput {
  definition: CampaignDefinition;
  /** Hand over to a new run past this many history events (bounded history for large lists). */
  historyLimit?: number;
  carried?: CarriedState;
}

// ---- Activities, grouped by the kind of side effect ------------------------------------------

const listPull = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  retry: { initialInterval: '5s', maximumInterval: '1 minute' },
  summary: 'list pull: segment → leads',
});

const DEFAULT_HISTORY_LIMIT = 3_000;

export async function campaignWorkflow(input: CampaignWorkflowInput): Promise<CampaignProgress> {
  const parsed = CampaignDefinitionSchema.safeParse(input.definition);
  if (!parsed.success || !input.definition.id) {
    const why = parsed.success ? 'id: missing' : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw ApplicationFailure.nonRetryable(`invalid campaign definition: ${why}`, 'InvalidCampaign');
  }
  const def: CampaignDefinition = { ...parsed.data, id: input.definition.id };
  const campaignId = def.id;
  const carried = input.carried;
  const historyLimit = input.historyLimit ?? DEFAULT_HISTORY_LIMIT;

  const s = {
    listed: carried?.listed ?? 0,
    attempts: carried?.attempts ?? 0,
    connected: carried?.connected ?? 0,
    accepted: carried?.accepted ?? 0,
    ordered: carried?.ordered ?? 0,
    paused: carried?.paused ?? false,
    run: carried?.run ?? 0,
    cancelled: false,
    finished: false,
    pulling: !carried,
    scheduled: false,
    inFlight: 0,
    callsEnded: 0,
  };
  let fatal: unknown;
  const stops: { leadId: number; reason: string }[] = [...(carried?.stops ?? [])];
  let endedBecause: EndReason | undefined;
  /** Milliseconds to the end date, capping every wait; undefined without one. */
  const untilEnd = () => (def.endAt ? Math.max(Date.parse(def.endAt) - Date.now(), 1) : undefined);

  const status = (): CampaignStatus => {
    if (s.cancelled) return s.inFlight > 0 ? 'running' : 'cancelled';
    if (s.finished) return s.inFlight > 0 ? 'running' : 'completed';
    if (s.scheduled) return 'scheduled';
    if (s.pulling) return 'pulling';
    return s.paused ? 'paused' : 'running';
  };
  const progress = (): CampaignProgress => ({
    campaignId, status: status(), listed: s.listed, attempts: s.attempts, connected: s.connected,
    accepted: s.accepted, ordered: s.ordered, inFlight: s.inFlight, dialing: def.dialing, run: s.run,
    ...(endedBecause ? { endedBecause } : {}),
  });

  setHandler(progressQuery, progress);
  setHandler(stopLeadSignal, (stop) => { stops.push(stop); });
  const refuse = (action: 'pause' | 'resume' | 'cancel') => () => {
    const why = s.cancelled ? 'campaign is being cancelled' : controlRefusal(action, status());
    if (why) throw new Error(why);
  };
  setHandler(pauseUpdate, () => { s.paused = true; return progress(); }, { validator: refuse('pause') });
  setHandler(resumeUpdate, () => { s.paused = false; return progress(); }, { validator: refuse('resume') });
  setHandler(cancelUpdate, () => { s.cancelled = true; return progress(); }, { validator: refuse('cancel') });
  setHandler(
    updateDialingUpdate,
    (change) => {
      const given = Object.fromEntries(Object.entries(DialingChangeSchema.parse(change)).filter(([, v]) => v !== undefined));
      def.dialing = { ...def.dialing, ...given };
      showDetails();
      return progress();
    },
    {
      validator: (change) => {
        const parsed = DialingChangeSchema.safeParse(change);
        if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${['dialing', ...i.path].join('.')}: ${i.message}`).join('; '));
        refuse('cancel')(); // a finished campaign cannot be tuned; a paused one can
      },
    },
  );

  // Postgres and the search attribute follow the status; recorded only when it changes.
  let recorded: CampaignStatus | undefined;
  const recordStatus = async () => {
    const now = status();
    showDetails();
    if (now === recorded) return;
    recorded = now;
    upsertSearchAttributes([{ key: CampaignStatusKey, value: now }]);
    await data.setCampaignStatus({ campaignId, status: now, ...(endedBecause ? { endedBecause } : {}) });
  };
  const showDetails = () =>
    setCurrentDetails(
      `**${def.name}** · ${status()}${s.paused ? ' (paused: no new calls)' : ''}\n\n` +
        `| listed | attempts | connected | accepted | ordered | in flight |\n|---|---|---|---|---|---|\n` +
        `| ${s.listed} | ${s.attempts} | ${s.connected} | ${s.accepted} | ${s.ordered} | ${s.inFlight} |\n\n` +
        `At most ${def.dialing.maxConcurrentCalls} calls at once, ${def.dialing.maxAttempts} attempts per lead. Run ${s.run + 1}.`,
    );

  // Calls one claimed lead: place the call, apply the retry rule, and turn an acceptance into an order.
  const dialLead = async (lead: ClaimedLead): Promise<void> => {
    const callId = salesCallId(campaignId, lead.leadId, lead.attemptNo);
    let disposition: AttemptDisposition = 'not-placed';
    let callbackAt: string | undefined;
    try {
      const outcome = await telephony.placeCall({
        callId, purpose: 'sales', campaignId, leadId: lead.leadId, attemptNo: lead.attemptNo, contactCap: def.contactCap,
      });
      disposition = outcome.disposition;
      callbackAt = outcome.callbackAt;
      s.attempts++;
      if (outcome.connected) s.connected++;
    } catch (err) {
      if (isCancellation(err)) throw err;
    }
    const step = nextLeadStep(disposition, lead.attemptNo, def.dialing, callbackAt);
    await data.settleAttempt({ leadId: lead.leadId, attemptNo: lead.attemptNo, callId, disposition, step });
    if (disposition === 'accepted') {
      s.accepted++;
      await data.startOrder({ campaignId, leadId: lead.leadId, offer: def.offer, policy: def.orders });
      s.ordered++;
    }
  };
  const launch = (lead: ClaimedLead) => {
    s.inFlight++;
    dialLead(lead)
      .catch((err) => { fatal ??= err; })
      .finally(() => { s.inFlight--; s.callsEnded++; showDetails(); });
  };

  // Scheduled launch: wait (durably) for the start time; a cancel meanwhile ends it before any call.
  if (!carried && def.startAt && Date.parse(def.startAt) > Date.now()) {
    s.scheduled = true;
    await recordStatus();
    await condition(() => s.cancelled, Date.parse(def.startAt) - Date.now());
    s.scheduled = false;
    if (s.cancelled) {
      endedBecause = 'cancelled';
      s.pulling = false;
      await recordStatus();
      return progress();
    }
  }
  await recordStatus();
  if (s.pulling) {
    const pulled = await listPull.pullList({ campaignId, segment: def.segment, offerCode: def.offer.code, contactCap: def.contactCap });
    s.listed = pulled.listed;
    s.pulling = false;
  }

  const info = workflowInfo();
  let claimSeq = 0;
  const handOverDue = () => info.continueAsNewSuggested || workflowInfo().historyLength >= historyLimit;

  while (!s.cancelled && !handOverDue()) {
    if (fatal) throw fatal;
    if (stops.length) await data.stopLeads({ campaignId, stops: stops.splice(0) });
    const stop = stopReason(def, s.accepted, Date.now());
    if (stop) {
      endedBecause = stop;
      s.finished = true;
      break;
    }
    await recordStatus();
    if (s.paused) {
      const end = untilEnd();
      const resumeOrStop = () => !s.paused || s.cancelled || stops.length > 0;
      if (end === undefined) await condition(resumeOrStop);
      else await condition(resumeOrStop, end);
      continue;
    }
    const endedBefore = s.callsEnded;
    const free = def.dialing.maxConcurrentCalls - s.inFlight;
    let nextDueInMs: number | null = null;
    if (free > 0) {
      const claim = await data.claimDueLeads({ campaignId, limit: free, claimId: `${info.runId}-${++claimSeq}`, window: def.window });
      claim.leads.forEach(launch);
      if (claim.leads.length === 0 && s.inFlight === 0 && claim.open === 0) {
        endedBecause = 'list finished';
        s.finished = true;
        break;
      }
      nextDueInMs = claim.nextDueInMs;
      if (claim.leads.length === free) continue; // all slots filled: claim again when one frees
    }
    // Wait for a call to end (a slot frees), the next lead to fall due, or a person's control.
    const dueIn = nextDueInMs === null ? undefined : Math.min(Math.max(nextDueInMs, 200), 60_000);
    const end = untilEnd();
    const timeout = dueIn === undefined ? end : end === undefined ? dueIn : Math.min(dueIn, end);
    const wake = () => s.callsEnded !== endedBefore || s.paused || s.cancelled || stops.length > 0 || fatal !== undefined;
    if (timeout === undefined) await condition(wake);
    else await condition(wake, timeout);
  }

  // Calls already ringing finish and are recorded before the run ends or hands over.
  await condition(() => s.inFlight === 0);
  if (fatal) throw fatal;
  if (s.cancelled) {
    endedBecause = 'cancelled';
    await data.releaseLeads({ campaignId });
  } else if (s.finished && endedBecause !== 'list finished') {
    await data.releaseLeads({ campaignId }); // stopped at its quota or end date
  } else if (!s.finished) {
    await condition(allHandlersFinished);
    await recordStatus();
    return continueAsNew<typeof campaignWorkflow>({
      definition: def,
      historyLimit,
      carried: {
        listed: s.listed, attempts: s.attempts, connected: s.connected, accepted: s.accepted,
        ordered: s.ordered, paused: s.paused, run: s.run + 1, ...(stops.length ? { stops } : {}),
      },
    });
  }
  if (stops.length) await data.stopLeads({ campaignId, stops: stops.splice(0) });
  await recordStatus();
  await condition(allHandlersFinished);
  return progress();
}
