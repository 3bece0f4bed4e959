import { createHash, randomBytes } from 'node:crypto';
import { describeActor, type Actor } from '../../domain/access/roles';
import { isDeepStrictEqual } from 'node:util';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { CampaignDefinition } from '../../domain/campaign/campaign';
import { campaignWorkflowId, type CampaignWorkflowInput } from '../../workflows/campaign/messages';
import { CampaignIdKey, CampaignStatusKey, RegionKey, TeamKey } from '../../workflows/search-attributes';
import type { CampaignStatus } from '../../domain/campaign/campaign';
import type { Config } from '../../infra/config';
import type { Db } from '../../infra/db';
import { recordCampaignRowExtras } from '../../db/campaign/settings-versions-sql';

export interface CampaignRow {
  id: string;
  idempotency_key: string | null;
  name: string;
  definition: Record<string, unknown>;
  status: CampaignStatus;
  ended_because: string | null;
  workflow_id: string;
  created_at: Date;
}

export interface LaunchDeps {
  db: Db;
  client: Client;
  taskQueue: string;
  /** A fault the crash test injects between the start and the row (infra/config.ts's API_FAULT). */
  fault?: Config['API_FAULT'];
}

/**
 * A launch done, or refused: the id or the Idempotency-Key names a campaign launched with another
 * definition, or a concurrent launch of the same one is between its two steps (retry it).
 */
export type Launch =
  | { kind: 'launched'; campaign: CampaignRow; created: boolean }
  | { kind: 'conflict'; message: string };

/**
 * Launching a campaign writes to two systems with no transaction across them: Temporal (the
 * workflow) and Postgres (the campaign's row). The workflow start is the commit point. It comes
 * first, under a workflow id made from the campaign id, and the workflow's first activity writes
 * the row from the definition it was started with; the launch writes the same row right after
 * the start, so the caller can read it at once. Whoever dies wherever, a started launch ends with its
 * row and its workflow, and a repeat finds the same workflow by its id.
 *
 * So the campaign id must be known before anything is written: the client's own id, or one made
 * from the Idempotency-Key, so a retry carrying only the key after a crash names the same workflow.
 *
 * Plain, with its dependencies given, so the API's route, an activity or a schedule launch alike.
 */
export async function launchCampaign(
  deps: LaunchDeps, body: Omit<CampaignDefinition, 'id'> & { id?: string }, key: string | null, launchedBy?: Actor,
): Promise<Launch> {
  const prior = await findLaunch(deps, key, body.id ?? null);
  if (prior) {
    const other = otherLaunch(prior, body, key);
    if (other) return other;
    // Rows written before the start came first (an older API) may lack their workflow: this starts it.
    if (prior.status === 'pending') await startCampaignWorkflow(deps, prior.definition as CampaignDefinition, prior.idempotency_key, launchedBy);
    return { kind: 'launched', campaign: prior, created: false };
  }

  const id = body.id ?? (key ? keyedCampaignId(key) : `c-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`);
  const definition: CampaignDefinition = { ...body, id };
  const started = await startCampaignWorkflow(deps, definition, key, launchedBy);
  if (!started) {
    // Its workflow exists and its row does not (yet): an earlier request died after the start, or is
    // still between the two steps. The same launch only if it was started with the same definition.
    const { memo } = await deps.client.workflow.getHandle(campaignWorkflowId(id)).describe();
    const launchedWith = memo?.definition as CampaignDefinition | undefined;
    if (launchedWith && !sameDefinition(launchedWith, definition)) return conflictOf(key && !body.id ? 'key' : 'id', id);
  }
  if (deps.fault === 'kill-mid-launch') process.kill(process.pid, 'SIGKILL');

  const { rows: [inserted] } = await deps.db.query<CampaignRow>(
    `INSERT INTO campaigns (id, idempotency_key, name, definition, status, workflow_id)
     VALUES ($1, $2, $3, $4, 'pending', $5) ON CONFLICT DO NOTHING RETURNING *`,
    [id, key, body.name, JSON.stringify(definition), campaignWorkflowId(id)],
  );
  if (inserted) {
    await recordCampaignRowExtras(deps.db, definition, launchedBy);
    return { kind: 'launched', campaign: inserted, created: started };
  }
  // The workflow wrote the row first, or a concurrent request did.
  const row = await findLaunch(deps, key, id);
  if (!row) return { kind: 'conflict', message: 'a concurrent request with the same id or Idempotency-Key is being processed; retry' };
  const other = otherLaunch(row, body, key);
  if (!other && row.id === id) await recordCampaignRowExtras(deps.db, definition, launchedBy);
  return other ?? { kind: 'launched', campaign: row, created: started && row.id === id };
}

/** A campaign id from an Idempotency-Key: the same key names the same campaign, and its workflow. */
export const keyedCampaignId = (key: string): string => `c-${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;

async function findLaunch(deps: LaunchDeps, key: string | null, id: string | null): Promise<CampaignRow | undefined> {
  const { rows } = await deps.db.query<CampaignRow>(
    'SELECT * FROM campaigns WHERE ($1::text IS NOT NULL AND idempotency_key = $1) OR id = $2 LIMIT 1', [key, id],
  );
  return rows[0];
}

/** The definitions of two launches, the id aside (a repeat may omit it), once both are JSON. */
function sameDefinition(a: Partial<CampaignDefinition>, b: Partial<CampaignDefinition>): boolean {
  const { id: _a, ...x } = a;
  const { id: _b, ...y } = b;
  return isDeepStrictEqual(JSON.parse(JSON.stringify(x)), JSON.parse(JSON.stringify(y)));
}

/** The refusal when the row found is another launch than this one, or undefined when it is the same. */
function otherLaunch(row: CampaignRow, body: Partial<CampaignDefinition>, key: string | null): Launch | undefined {
  if (!sameDefinition(row.definition as CampaignDefinition, body)) return conflictOf(key && row.idempotency_key === key ? 'key' : 'id', row.id);
  return undefined;
}

const conflictOf = (by: 'key' | 'id', id: string): Launch => ({ kind: 'conflict', message: by === 'key'
  ? 'Idempotency-Key was already used for a different campaign definition'
  : `campaign id '${id}' is already used by a different campaign` });

/** Starts the campaign's workflow; false when one with its id exists already (running or closed). */
async function startCampaignWorkflow(deps: LaunchDeps, definition: CampaignDefinition, key: string | null, launchedBy: Actor | undefined): Promise<boolean> {
  const regions = definition.segment.regions ?? [];
  const args: CampaignWorkflowInput = { definition, idempotencyKey: key, ...(launchedBy ? { launchedBy } : {}) };
  try {
    await deps.client.workflow.start('campaignWorkflow', {
      workflowId: campaignWorkflowId(definition.id),
      taskQueue: deps.taskQueue,
      args: [args],
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      // What a repeat compares itself with while the row is not written yet.
      memo: { definition },
      typedSearchAttributes: [
        { key: CampaignIdKey, value: definition.id },
        { key: CampaignStatusKey, value: 'pending' },
        ...(regions.length === 1 ? [{ key: RegionKey, value: regions[0]! }] : []),
        ...(definition.team ? [{ key: TeamKey, value: definition.team }] : []),
      ],
      staticSummary: `${definition.name}: ${definition.offer.name} (${definition.offer.code})`,
      staticDetails: [
        `Segment: ${JSON.stringify(definition.segment)}`,
        `Dialing: ${JSON.stringify(definition.dialing)}`,
        `Pacing: ${JSON.stringify(definition.pacing)} · window: ${JSON.stringify(definition.window)}`,
        `Team: ${definition.team ?? '-'} · start: ${definition.startAt ?? 'at once'} · end: ${definition.endAt ?? 'when the list is done'} · quota: ${definition.quota ?? 'none'}`,
        ...(definition.suppressionLists?.length ? [`Suppression lists: ${definition.suppressionLists.join(', ')}`] : []),
        ...(definition.holdout ? [`Holdout: ${Number((definition.holdout.share * 100).toFixed(1))}% of the list, never called (the control group of GET /reports/evaluation).`] : []),
        ...(launchedBy ? [`Launched by ${describeActor(launchedBy)}.`] : []),
      ].join('\n\n'),
    });
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw err;
  }
}
