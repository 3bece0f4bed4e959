import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { PacingState } from '../../activities/campaign/leads';
import type { PreviewLead } from '../../activities/campaign/preview';
import type { CampaignDefinition, CampaignStatus, DialingPolicy, EndReason, Offer, Pacing } from '../../domain/campaign/campaign';
import type { CallingWindow } from '../../domain/campaign/calling-window';
import type { AgentReport, AttemptDisposition, CallOutcome } from '../../domain/campaign/dialing';
import type { Outage } from '../../domain/campaign/outages';
import type { FunnelReading } from '../../domain/reports/funnel';
import type { Actor } from '../../domain/access/roles';
import type { StopCode } from '../../domain/compliance/numbers';

// What clients may ask of a running campaign: the one workflow module the API imports.
export { campaignWorkflowId } from '../../domain/campaign/ids';

export interface CampaignProgress {
  campaignId: string;
  status: CampaignStatus;
  /**
   * The campaign's funnel (leads per step, orders after), read from the reporting module at most
   * once a minute while the campaign moves and once at its end: the same figures as
   * `GET /campaigns/:id`, which reads them live. Null until the first reading (and for runs
   * started before FUNNEL_FROM_REPORTS).
   */
  funnel: FunnelReading | null;
  // This run's own counters, which steer it (the quota counts `accepted`): calls, not leads.
  listed: number;
  attempts: number;
  connected: number;
  accepted: number;
  ordered: number;
  /** Calls ringing or talking now, and leads held by agents in preview. */
  inFlight: number;
  /** Answered calls hung up because no agent was free (predictive pacing's cost, capped). */
  abandoned: number;
  dialing: DialingPolicy;
  pacing: Pacing;
  /** What the last pacing decision saw: free agents, abandon rate, calls per agent, the limit. */
  pacingState: PacingState | null;
  window: CallingWindow;
  /** Set once the campaign stopped calling: the list was finished, the quota or end date reached, or it was cancelled. */
  endedBecause?: EndReason;
  /** How many times the workflow has continued as new (history hand-overs). */
  run: number;
  /** Outside systems not answering now: the campaign waits for them and goes on by itself. */
  outages?: Outage[];
  /** Leads whose next step failed for good (GET /campaigns/:id/lead-failures says why). */
  leadFailures?: number;
  /** The run is handing over to the next: agents are asked to retry in a second. */
  handingOver?: boolean;
  /** Set once cancelled: when (ISO), why, and by whom when the request said. */
  cancelled?: { at: string; reason: string; by?: Actor };
  /** The last person's control (pause, resume, settings): what, when (ISO), by whom. */
  lastControl?: LastControl;
}

// The updates' arguments as they travel, written out rather than inferred from the schemas: a
// schema may be tightened, a value a running history once took may not change meaning. Each is
// validated where it enters (the API, the update validators); the handlers apply it as given, and
// the defaults of optional fields are plain data (domain/campaign/definition.ts).

/** A dialing change: any of the settings (at least one). */
export interface DialingChangeMessage {
  maxConcurrentCalls?: number;
  maxAttempts?: number;
  retryDelaySeconds?: number;
  retryDelays?: DialingPolicy['retryDelays'];
  callbackGraceSeconds?: number;
}
/** A calling window as sent: days (every day) and holidays (none) may be left out. */
export interface CallingWindowMessage {
  start: string;
  end: string;
  days?: number[];
  holidays?: string[];
}
export interface SettingsChangeMessage {
  dialing?: DialingChangeMessage;
  pacing?: Partial<Pacing>;
  window?: CallingWindowMessage;
}
/** An agent's report of a preview call; `by` is who sent it when it is not the agent (an admin acting for them). */
export type AgentReportMessage = { agentId: string; leadId: number; by?: Actor } & AgentReport;

export const progressQuery = defineQuery<CampaignProgress>('progress');
// A person's message says who sent it (`by`, added later: older callers send none), so the
// Temporal UI shows it with the message and the details say who paused, cancelled or retuned.
/** Pause or resume, and who asked. */
export interface ControlRequest {
  by?: Actor;
}
export const pauseUpdate = defineUpdate<CampaignProgress, [ControlRequest]>('pause');
export const resumeUpdate = defineUpdate<CampaignProgress, [ControlRequest]>('resume');
/** Cancel; the reason (optional, added later: older callers send none) shows in the details. */
export const cancelUpdate = defineUpdate<CampaignProgress, [CancelRequest]>('cancel');
export interface CancelRequest {
  reason?: string;
  by?: Actor;
}
export interface LeadStop {
  leadId: number;
  reason: string;
  /** Why, for programs (added later: older callers send none); do-not-call put the number on the register already. */
  code?: StopCode;
  by?: Actor;
}
/** Stop one lead now (the customer complained, asked not to be called): no further attempt. */
export const stopLeadSignal = defineSignal<[LeadStop]>('stopLead');
// A change of settings is validated whole by its schema, so who sent it comes beside it (typed as
// given, though histories from before `by` hold none: the handlers take it as optional).
/** Tune the dialing while the campaign runs; a bad value is refused and changes nothing. */
export const updateDialingUpdate = defineUpdate<CampaignProgress, [DialingChangeMessage, Actor]>('updateDialing');
/** Change dialing limits and retry policy, pacing or calling window while it runs (validated; refused whole). */
export const updateSettingsUpdate = defineUpdate<CampaignProgress, [SettingsChangeMessage, Actor]>('updateSettings');

/** A call the campaign placed has ended (the dialer's webhook, through the API); repeats are ignored. */
export interface CallEnded {
  callId: string;
  disposition: AttemptDisposition;
  connected: boolean;
  callbackAt?: string;
  agentId?: string;
}
export const callEndedSignal = defineSignal<[CallEnded]>('callEnded');

/** A call's outcome (from the dialer or the contact log) as the campaign's call-end message. */
export function toCallEnded(o: CallOutcome): CallEnded {
  return {
    callId: o.callId, disposition: o.disposition, connected: o.connected,
    ...(o.callbackAt ? { callbackAt: o.callbackAt } : {}), ...(o.agentId ? { agentId: o.agentId } : {}),
  };
}

/** Preview mode: what an agent gets when asking for the next lead. */
export interface PreviewAssignment extends PreviewLead {
  campaignId: string;
  offer: Offer;
  script: string | null;
}
/** Preview mode: an agent asks for the next lead (null: none callable now). */
/** An agent asks for a lead; `by` is who asked when it is not the agent (an admin acting for them). */
export const nextLeadUpdate = defineUpdate<PreviewAssignment | null, [{ agentId: string; by?: Actor }]>('nextLead');
/** Preview mode: the agent reports how the call of a lead they hold went. */
export const reportCallUpdate = defineUpdate<CampaignProgress, [AgentReportMessage]>('reportCall');

// ---- Input and the state carried across continue-as-new --------------------------------------

export interface LastControl {
  action: 'paused' | 'resumed' | 'settings changed';
  at: string;
  by?: Actor;
}

export interface CarriedState {
  listed: number;
  attempts: number;
  connected: number;
  accepted: number;
  ordered: number;
  paused: boolean;
  run: number;
  /** Stop requests that came in while the previous run handed over. */
  stops?: LeadStop[];
  abandoned?: number;
  /** Calls still ringing (or leads held by agents) at the hand-over: their ends reach the new run. */
  calls?: LiveCall[];
  /** Ended calls the previous run had not settled yet. */
  ended?: CallEnded[];
  outages?: Outage[];
  leadFailures?: number;
  /** The last reading of the funnel, shown by the new run until it reads again. */
  funnel?: FunnelReading;
  lastControl?: LastControl;
}

/** A call of this campaign not settled yet: ringing or talking, or a lead an agent holds in preview. */
export interface LiveCall {
  callId: string;
  leadId: number;
  attemptNo: number;
  /** Workflow time it was placed (or handed to the agent). */
  since: number;
  /** The agent holding it (preview) or asked to take it (an owned callback). */
  agentId?: string;
  preview?: boolean;
  /** Its end has been received and waits to be settled. */
  ended?: boolean;
  /** Preview: the agent's report is being recorded (a second report is refused). */
  reporting?: boolean;
  /** Claimed, and not taken by the dialer yet (it is down): no clock runs, the new run places it. */
  unplaced?: boolean;
  /** Was unplaced when the campaign ended: the dialer may have it all the same, and is asked before it is recorded. */
  confirming?: boolean;
}

export interface CampaignWorkflowInput {
  /** Validated by the API before the start; the workflow fills only the defaults of later fields. */
  definition: CampaignDefinition;
  /** The launch's Idempotency-Key, written with the campaign's row by the first run. */
  idempotencyKey?: string | null;
  /** Who launched it (shown with the input in the Temporal UI, and in the first run's details). */
  launchedBy?: Actor;
  /** Hand over to a new run past this many history events (bounded history for large lists). */
  historyLimit?: number;
  /** How long the end waits for a dialer that is down to answer for its calls (6 hours unless given; tests shorten it). */
  drainDialerLimitSeconds?: number;
  carried?: CarriedState;
}

/** Hand over to a new run past this many history events (bench/campaign.ts matches it). */
export const DEFAULT_HISTORY_LIMIT = 3_000;

// ---- Patches: each marks where a running history's path forked; names never change ----------

/** The patch that moved calls from one waiting activity each to batches whose ends come by signal. */
export const CALLS_BY_SIGNAL = 'calls-by-signal';
/** The patch that made a run wait briefly for its calls to end before handing over. */
export const QUIET_HANDOVER = 'quiet-handover';
/**
 * The patch after which an outage of the dialer or Postgres stops the calls and is waited out
 * (shown in the details) instead of failing the campaign, and a lead whose order cannot start
 * is recorded on the lead instead of failing the campaign.
 */
export const RIDE_OUT_OUTAGES = 'ride-out-outages';
/** The patch after which the server's suggestion to continue as new is read fresh each time. */
export const FRESH_HANDOVER_CHECK = 'fresh-continue-as-new-suggested';
/**
 * The patch after which a hand-over refuses new agent work (retry in a second), waits for every
 * handler as its last step, and ends the campaign instead when a cancel came meanwhile.
 */
export const SAFE_HANDOVER = 'safe-handover';
/** The patch that made a new campaign write its own row first (the API may die before it does). */
export const LAUNCH_RECORDS_ROW = 'launch-records-row';
/**
 * The patch after which the run reads its funnel from the reporting module (the one definition the
 * API reads too) into its progress and details, in the background at most once a minute, and once
 * at the end.
 */
export const FUNNEL_FROM_REPORTS = 'funnel-from-reports';
/**
 * The patch after which a campaign that ends with calls the dialer never answered for (it was
 * down) asks the dialer about each before recording it: it may have taken some all the same (part
 * of a batch before it went down, an answer lost), and their outcomes come later by webhook.
 */
export const CONFIRM_UNPLACED = 'confirm-unplaced-calls';
/**
 * The patch after which the end of a campaign gives up on calls a dialer down for 6 hours never
 * answered for (recorded as not placed), instead of waiting for the dialer for ever.
 */
export const DRAIN_GIVES_UP = 'drain-gives-up-on-dialer';
/**
 * The patch after which every change of settings is kept as the campaign's next version (with who
 * and when) by an activity before the update answers: the audit rebuilds what was in force.
 */
export const SETTINGS_VERSIONS = 'settings-versions';
/** The dialing loop's wait wakes on a pause or resume (a resume during a settle no longer strands it). */
export const PAUSE_WAKES_THE_LOOP = 'pause-wakes-the-loop';
