import type { Client } from '@temporalio/client';
import type { Db } from '../../infra/db';
import { inTransaction } from '../../infra/db';
import { callFacts, workflowStep, type InboundEvent } from '../../domain/hotline/call-events';
import { recordCallEvent } from '../../db/hotline/calls-sql';
import { endCall, startInteraction } from './interactions';

/**
 * One of the dialer's inbound webhooks (docs/hotline.md, "Inbound calls"): recorded first (the
 * event once, the interaction of an identified caller moved on), then handed to the interaction's
 * workflow, started when the call is answered and told when it ended. The workflow step is taken
 * on every copy of an event, not only the first: a copy sent because our answer was lost (a 5xx
 * after the record) then does what the first could not, and the workflow applies it once.
 */
export async function receiveCallEvent(deps: { db: Db; client: Client; taskQueue: string }, event: InboundEvent): Promise<{ first: boolean }> {
  const facts = callFacts(event);
  const { first, interaction } = await inTransaction(deps.db, (tx) => recordCallEvent(tx, facts));
  const step = workflowStep(facts.event);
  // As the interaction stands now: an answer heard after the end starts nothing (the end did), and
  // a call recorded abandoned never gets a workflow, whatever a stray event says.
  const due = step === 'start' ? interaction?.status === 'open' : step === 'end' ? interaction?.status === 'ended' : false;
  if (interaction && due) {
    const i = {
      id: interaction.id, channel: 'call', customerId: interaction.customer_id, callId: interaction.call_id, agentId: interaction.agent_id,
      team: interaction.team, callOpen: true,
    };
    if (step === 'start') await startInteraction(deps.client, deps.taskQueue, i);
    else await endCall(deps.client, deps.taskQueue, i, facts.endedAt!);
  }
  return { first };
}
