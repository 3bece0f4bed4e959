import { isDecision, type Channel, type Outcome } from './words';

/**
 * The rules of an outcome: a recommendation is presented, then decided once (accepted on the spot,
 * referred to a self-service channel, refused, not now). The same outcome again is a repeat; another
 * decision after one is a conflict. Accepted needs an offer the interaction's channel can complete;
 * a referral, a channel that can complete it other than the one the customer is in.
 */

export interface RecordedOutcome {
  outcome: Outcome;
  referredChannel: string | null;
}

export interface NewOutcome {
  outcome: Outcome;
  referredChannel?: string | undefined;
}

export type OutcomeVerdict =
  | { kind: 'new' }
  | { kind: 'repeat' }
  | { kind: 'conflict'; message: string }
  | { kind: 'rule'; path: string; message: string };

const CHANNEL_WORDS: Record<Channel, string> = { call: 'on the call', ivr: 'in the IVR', sms: 'in the SMS hall', app: 'in the app', web: 'in the web hall' };

export function outcomeVerdict(
  earlier: readonly RecordedOutcome[], next: NewOutcome, rec: { completion: readonly Channel[]; channel: Channel },
): OutcomeVerdict {
  if (next.outcome === 'referred' && !next.referredChannel) return { kind: 'rule', path: 'body.referredChannel', message: 'a referral names the channel the customer is sent to' };
  if (next.outcome !== 'referred' && next.referredChannel) return { kind: 'rule', path: 'body.referredChannel', message: 'only a referral names a channel' };
  const same = earlier.find((o) => o.outcome === next.outcome);
  if (same) {
    if ((same.referredChannel ?? undefined) !== next.referredChannel) return { kind: 'conflict', message: `referred to ${same.referredChannel} already` };
    return { kind: 'repeat' };
  }
  const decided = earlier.find((o) => isDecision(o.outcome));
  if (decided && isDecision(next.outcome)) return { kind: 'conflict', message: `the recommendation was decided already: ${decided.outcome}` };
  if (next.outcome === 'accepted' && !rec.completion.includes(rec.channel)) {
    return { kind: 'rule', path: 'body.outcome', message: `the offer cannot be completed ${CHANNEL_WORDS[rec.channel]}; refer the customer to ${rec.completion.join(', ')}` };
  }
  if (next.outcome === 'referred') {
    const to = next.referredChannel as Channel;
    if (to === rec.channel) return { kind: 'rule', path: 'body.referredChannel', message: `the customer is ${CHANNEL_WORDS[rec.channel]} already` };
    if (!rec.completion.includes(to)) return { kind: 'rule', path: 'body.referredChannel', message: `the offer cannot be completed ${CHANNEL_WORDS[to]}; it can ${rec.completion.map((c) => CHANNEL_WORDS[c]).join(', ')}` };
  }
  return { kind: 'new' };
}
