import type { Actor } from '../access/roles';
import type { Channel } from './words';

/**
 * Who may act on an interaction beyond their role: an agent on their own (or on one no agent has
 * yet), a self-service channel on self-service interactions only. Admins and ops (reads) on any.
 */
export function interactionRefusal(actor: Actor, interaction: { id: string | number; channel: Channel | string; agentId: string | null }): string | undefined {
  if (actor.role === 'agent' && interaction.agentId !== null && interaction.agentId !== actor.sub) {
    return `interaction ${interaction.id} is agent ${interaction.agentId}'s`;
  }
  if (actor.role === 'self-service' && interaction.channel === 'call') {
    return `interaction ${interaction.id} is a call: a self-service channel acts on self-service interactions only`;
  }
  return undefined;
}

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
