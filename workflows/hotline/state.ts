import type { Expiry } from '../../db/hotline/referrals-sql';
import type {
  CallEndedMessage, InteractionPhase, InteractionView, InteractionWorkflowInput, ReferralCompletedMessage, ReferralMessage, ReferralView,
} from './messages';

/**
 * What the referral's activity found when its window closed (activities/hotline/referrals.ts):
 * expired, completed by an order meanwhile, still open by Postgres's clock (wait again), or unknown.
 */
export type ExpiryResult = Expiry;

/**
 * After Postgres answered 'still open' (its clock behind the workflow's), the workflow asks again
 * no sooner than this (ms): a clock a little behind is waited out, not polled with 1 ms timers.
 */
export const EXPIRY_RECHECK_MS = 5_000;

const CHANNEL_WORDS: Record<string, string> = { ivr: 'the IVR', sms: 'the SMS hall', app: 'the app', web: 'the web hall' };

/**
 * An interaction as its workflow follows it: the call while it lasts, then each referral until the
 * customer's order completes it or its window closes. Plain data and methods, no Temporal: each
 * message is applied once (a repeat changes nothing), and `version` moves with every change, which
 * is what the workflow waits on.
 */
export class InteractionState {
  callOpen: boolean;
  endedAt: string | undefined;
  endAssumed = false;
  readonly referrals = new Map<number, ReferralView>();
  /** Per referral Postgres said is still open: not asked again before this (ms). */
  private readonly recheckAt = new Map<number, number>();
  version = 0;

  constructor(readonly input: InteractionWorkflowInput) {
    this.callOpen = input.callOpen;
  }

  callEnded(m: CallEndedMessage): void {
    if (!this.callOpen) return;
    this.callOpen = false;
    this.endedAt = m.endedAt;
    this.version++;
  }

  /** The dialer never said the call ended: taken as over, so the interaction can close. */
  assumeEnded(): void {
    if (!this.callOpen) return;
    this.callOpen = false;
    this.endAssumed = true;
    this.version++;
  }

  referred(m: ReferralMessage): void {
    const known = this.referrals.get(m.recommendationId);
    if (known?.offerCode) return;
    // A completion heard first keeps its status; the referral fills in what it was.
    this.referrals.set(m.recommendationId, { ...known, recommendationId: m.recommendationId, offerCode: m.offerCode, channel: m.channel, expiresAt: m.expiresAt, status: known?.status ?? 'open' });
    this.version++;
  }

  completed(m: ReferralCompletedMessage): void {
    const r = this.referrals.get(m.recommendationId);
    if (r && r.status !== 'open') return;
    this.referrals.set(m.recommendationId, { ...(r ?? { recommendationId: m.recommendationId }), status: 'completed', orderId: m.orderId });
    this.version++;
  }

  /**
   * What Postgres said when the referral's window closed. Still open: its window as Postgres has
   * it, and, given `now` (ms; histories from before the patch give none), not asked again for
   * EXPIRY_RECHECK_MS.
   */
  resolved(recommendationId: number, result: ExpiryResult, now?: number): void {
    const r = this.referrals.get(recommendationId);
    if (!r || r.status !== 'open') return;
    if (result.status === 'open') {
      r.expiresAt = result.expiresAt;
      if (now !== undefined) this.recheckAt.set(recommendationId, now + EXPIRY_RECHECK_MS);
    }
    else if (result.status === 'completed') Object.assign(r, { status: 'completed', orderId: result.orderId });
    else r.status = 'expired'; // expired, or a referral Postgres does not know: nothing more will come of it
    this.version++;
  }

  open(): ReferralView[] {
    return [...this.referrals.values()].filter((r) => r.status === 'open');
  }

  /** The open referrals whose window has closed by `now` (ms). */
  due(now: number): ReferralView[] {
    return this.open().filter((r) => r.expiresAt !== undefined && this.askAt(r) <= now);
  }

  /** When the workflow must next act by itself (ms): the earliest window to close, or the call's deadline; undefined: nothing to wait for by time. */
  nextDeadline(callDeadline: number): number | undefined {
    const times = this.open().flatMap((r) => (r.expiresAt ? [this.askAt(r)] : []));
    if (this.callOpen) times.push(callDeadline);
    return times.length ? Math.min(...times) : undefined;
  }

  /** When Postgres is next asked about an open referral (ms): its window's end, or the recheck after a 'still open'. */
  private askAt(r: ReferralView): number {
    return Math.max(Date.parse(r.expiresAt!), this.recheckAt.get(r.recommendationId) ?? 0);
  }

  phase(): InteractionPhase {
    if (this.callOpen) return 'call';
    return this.open().length ? 'following-up' : 'done';
  }

  waitingFor(): string {
    const open = this.open();
    const orders = open.map((r) => `${r.offerCode ?? `recommendation ${r.recommendationId}`} in ${CHANNEL_WORDS[r.channel ?? ''] ?? 'its channel'} until ${r.expiresAt}`);
    if (this.callOpen) {
      return `the call to end${this.input.agentId ? ` (agent ${this.input.agentId})` : ''}${orders.length ? `; then the customer's orders: ${orders.join(', ')}` : ''}`;
    }
    if (orders.length) return `the customer's order${orders.length > 1 ? 's' : ''}: ${orders.join('; ')}`;
    return 'nothing: every referral is resolved';
  }

  view(): InteractionView {
    return {
      interactionId: this.input.interactionId, channel: this.input.channel, phase: this.phase(), callOpen: this.callOpen,
      ...(this.endedAt ? { endedAt: this.endedAt } : {}), ...(this.endAssumed ? { endAssumed: true } : {}),
      referrals: [...this.referrals.values()].map((r) => ({ ...r })), waitingFor: this.waitingFor(),
    };
  }

  /** The workflow's current details, markdown, as the Temporal UI shows them. */
  details(): string {
    const i = this.input;
    const who = `${i.channel === 'call' ? `Call${i.callId ? ` ${i.callId}` : ''}` : `Visit in ${CHANNEL_WORDS[i.channel] ?? i.channel}`} of customer ${i.customerId}`
      + `${i.agentId ? `, agent ${i.agentId}` : ''}${i.team ? ` (${i.team})` : ''}.`;
    const call = this.endedAt ? `Call ended ${this.endedAt}.` : this.endAssumed ? 'The call\'s end was never reported: taken as over.' : '';
    const lines = [...this.referrals.values()].map((r) => `- ${r.offerCode ?? `recommendation ${r.recommendationId}`} → ${CHANNEL_WORDS[r.channel ?? ''] ?? '?'}: `
      + (r.status === 'open' ? `waiting until ${r.expiresAt}` : r.status === 'completed' ? `completed by order ${r.orderId}` : 'expired, never completed'));
    return [`**${this.phase()}** · waiting for ${this.waitingFor()}`, [who, call].filter(Boolean).join(' '), lines.length ? `Referrals:\n${lines.join('\n')}` : '']
      .filter(Boolean).join('\n\n');
  }
}
