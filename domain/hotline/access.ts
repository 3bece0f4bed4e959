import type { Actor } from '../access/roles';
import { isSelfServiceChannel, type Channel, type SelfServiceChannel } from './words';

/**
 * Who may act on an interaction beyond their role: an agent on their own calls (or on a call no
 * agent has yet, which they then take over: takesOver), never on a self-service visit (no agent's
 * sale to credit); a self-service channel on self-service interactions only. Admins and ops
 * (reads) on any.
 */
export function interactionRefusal(actor: Actor, interaction: { id: string | number; channel: Channel | string; agentId: string | null }): string | undefined {
  if (actor.role === 'agent' && interaction.channel !== 'call') {
    return `interaction ${interaction.id} is a ${interaction.channel} visit: an agent acts on calls only`;
  }
  if (actor.role === 'agent' && interaction.agentId !== null && interaction.agentId !== actor.sub) {
    return `interaction ${interaction.id} is agent ${interaction.agentId}'s`;
  }
  if (actor.role === 'self-service' && interaction.channel === 'call') {
    return `interaction ${interaction.id} is a call: a self-service channel acts on self-service interactions only`;
  }
  return undefined;
}

/**
 * An agent acting on a call no agent has yet takes it over first (atomically: only while it still
 * has none; another agent's take-over in between makes it theirs, and this one is refused).
 */
export const takesOver = (actor: Actor, interaction: { channel: Channel | string; agentId: string | null }): boolean =>
  actor.role === 'agent' && interaction.channel === 'call' && interaction.agentId === null;

/**
 * The agent an interaction is opened for: an agent opens it for themselves; an admin may name one;
 * a self-service channel's has none. Undefined: the body named an agent the caller may not.
 */
export function interactionAgent(actor: Actor, named: string | undefined): { agentId: string | null } | { refusal: string } {
  if (actor.role === 'agent') {
    if (named !== undefined && named !== actor.sub) return { refusal: `an agent opens interactions for themselves (${actor.sub}), not for ${named}` };
    return { agentId: actor.sub };
  }
  if (actor.role === 'self-service') {
    if (named !== undefined) return { refusal: 'a self-service channel names no agent' };
    return { agentId: null };
  }
  return { agentId: named ?? null };
}

/**
 * Who may say an order was made in a self-service channel (POST /orders `channel`; such an order
 * completes the customer's referral there and credits its agent): a self-service system, always
 * naming one, its own when its token's sub is a channel (`app` orders in the app only; a system
 * that serves them all, as the sims' `self-service-channels`, any); an admin; no one else.
 */
export function orderChannelRefusal(actor: Actor, channel: SelfServiceChannel | undefined): string | undefined {
  if (actor.role === 'self-service') {
    if (!channel) return 'a self-service system names the channel it sells in (ivr, sms, app, web)';
    if (isSelfServiceChannel(actor.sub) && actor.sub !== channel) return `the ${actor.sub} channel sells in ${actor.sub}, not ${channel}`;
    return undefined;
  }
  if (channel && actor.role !== 'admin') return 'only a self-service system (or an admin) names a self-service channel';
  return undefined;
}
