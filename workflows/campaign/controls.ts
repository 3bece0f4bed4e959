import { DialingChangeSchema, SettingsChangeSchema } from '../../domain/campaign/campaign';
import { showDetails } from './details';
import type { CampaignProgress, CancelRequest, DialingChangeMessage, SettingsChangeMessage } from './messages';
import type { CampaignState } from './state';

// People's controls of a running campaign. The validators check with the schemas (they run when
// an update comes in, never on replay); the handlers apply the value as given.

/** A validator: refuses a control the status does not allow. */
export const refuse = (s: CampaignState, action: 'pause' | 'resume' | 'cancel') => () => {
  const why = s.refusal(action);
  if (why) throw new Error(why);
};

/** A validator for cancel: the status allows it, and a reason is a short line of text. */
export const checkCancel = (s: CampaignState, req: CancelRequest | undefined) => {
  refuse(s, 'cancel')();
  const reason: unknown = req?.reason;
  if (reason !== undefined && (typeof reason !== 'string' || reason.length > 500)) throw new Error('reason: at most 500 characters of text');
};

/** New agent work waits while the run hands over, so the hand-over cannot starve. */
export function refuseWhileHandingOver(s: CampaignState): void {
  if (s.handingOver) throw new Error('handing over, retry in a second');
}

export function pause(s: CampaignState): CampaignProgress {
  s.pause();
  return s.progress();
}

export function resume(s: CampaignState): CampaignProgress {
  s.resume();
  return s.progress();
}

export function cancel(s: CampaignState, req: CancelRequest | undefined): CampaignProgress { // undefined from callers before the reason
  s.cancel(req?.reason, new Date().toISOString());
  showDetails(s);
  return s.progress();
}

export function changeSettings(s: CampaignState, change: SettingsChangeMessage): CampaignProgress {
  s.applySettings(change);
  showDetails(s);
  return s.progress();
}

const issues = (error: { issues: { path: PropertyKey[]; message: string }[] }, prefix: string[]) =>
  error.issues.map((i) => `${[...prefix, ...i.path.map(String)].join('.')}: ${i.message}`).join('; ');

// Settings: validated whole before anything changes; a finished campaign cannot be tuned, a paused one can.
export function validateSettings(s: CampaignState, change: SettingsChangeMessage): void {
  const parsed = SettingsChangeSchema.safeParse(change);
  if (!parsed.success) throw new Error(issues(parsed.error, []));
  const mode = parsed.data.pacing?.mode;
  if ((mode === 'preview' || mode === 'predictive') && !s.def.team) {
    throw new Error(`pacing.mode: ${mode} pacing needs the campaign's team (its agents); this campaign has none`);
  }
  refuse(s, 'cancel')();
}

export function validateDialing(s: CampaignState, change: DialingChangeMessage): void {
  const parsed = DialingChangeSchema.safeParse(change);
  if (!parsed.success) throw new Error(issues(parsed.error, ['dialing']));
  refuse(s, 'cancel')();
}
