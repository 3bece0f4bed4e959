import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type WorkflowExecutionDescription, type WorkflowHandle } from '@temporalio/client';
import { HeldDeliveryFilterSchema, describeHeldFilter, type HeldDeliveryFilter } from '../../domain/dispatch/held-deliveries';
import { JOB_KEY_PATTERN, deliveryRetryJobWorkflowId } from '../../domain/dispatch/ids';
import { SLOT_RULE, SlotSchema } from '../../domain/order/schema';
import {
  cancelDeliveryRetryUpdate,
  deliveryRetryProgressQuery,
  type DeliveryRetryJobInput,
  type DeliveryRetryProgress,
} from '../../workflows/dispatch/messages';
import type { AppDeps } from '../deps';
import { uiLink } from '../temporal-ui';
import { conflict, ErrorBody, notFound, refusalOf, rules } from '../errors';

const JOB_STATUSES = ['running', 'completed', 'cancelled', 'failed'] as const;
type JobStatus = (typeof JOB_STATUSES)[number];
const WORKFLOW_TYPE = 'deliveryRetryJobWorkflow';

const JobKey = z.string().regex(JOB_KEY_PATTERN, 'letters, digits, _ . - (at most 100), e.g. a UUID');
const JobParams = z.strictObject({ jobId: JobKey });
const RetryRequest = z.strictObject({
  /** The same key again answers with the job it started; a different request under it is a 409. */
  idempotencyKey: JobKey,
  /** The work queue's filter (`{}`: every held order, up to the limit). */
  filter: HeldDeliveryFilterSchema,
  /** The slot every new booking asks for; the courier's next slot otherwise. */
  slot: SlotSchema.optional(),
  limit: z.number().int().min(1).max(10_000).default(1000),
});
const JobStarted = z.object({ jobId: z.string(), workflowId: z.string(), status: z.enum(JOB_STATUSES) });
const JobProgress = JobStarted.extend({
  total: z.number(), done: z.number(), accepted: z.number(), refused: z.number(), failed: z.number(),
  startedAt: z.string(),
  filter: z.record(z.string(), z.unknown()),
  slot: z.string().optional(),
  lastErrors: z.array(z.object({ orderId: z.string(), reason: z.string() })),
  run: z.number(),
  temporalUi: z.string(),
});

/** What the job's memo keeps: the request's hash, to tell a repeat from a different request under one key. */
interface JobMemo {
  requestHash?: string;
  filter?: HeldDeliveryFilter;
  limit?: number;
}

/** The request's hash: the same filter, slot and limit give the same hash, whatever the key order. */
export function retryRequestHash(req: { filter: HeldDeliveryFilter; slot?: string; limit: number }): string {
  const filter = Object.fromEntries(Object.keys(HeldDeliveryFilterSchema.shape).sort()
    .map((k) => [k, req.filter[k as keyof HeldDeliveryFilter] ?? null]));
  return createHash('sha256').update(JSON.stringify({ filter, slot: req.slot ?? null, limit: req.limit })).digest('hex');
}

/**
 * Dispatchers' bulk retry: book another delivery for every held order a work-queue filter matches,
 * as a job whose progress can be read; repeating the request with the same key changes nothing.
 */
export const deliveryRetryRoutes = (deps: AppDeps): FastifyPluginAsyncZod => async (app) => {
  const { client } = deps;

  const describeJob = async (jobId: string): Promise<{ handle: WorkflowHandle; d: WorkflowExecutionDescription }> => {
    const handle = client.workflow.getHandle(deliveryRetryJobWorkflowId(jobId));
    try {
      const d = await handle.describe();
      if (d.type !== WORKFLOW_TYPE) throw notFound(`delivery retry job '${jobId}'`);
      return { handle, d };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw notFound(`delivery retry job '${jobId}'`);
      throw err;
    }
  };

  /** The job's progress: asked while it runs, its result once it has finished. */
  const progressOf = async (handle: WorkflowHandle, d: WorkflowExecutionDescription): Promise<Omit<DeliveryRetryProgress, 'status'> & { status: JobStatus }> => {
    switch (d.status.name) {
      case 'RUNNING':
        return handle.query(deliveryRetryProgressQuery);
      case 'COMPLETED':
        return (await handle.result()) as DeliveryRetryProgress;
      default: {
        // Terminated, failed or timed out: how far it got, as its history replays.
        const last = await handle.query(deliveryRetryProgressQuery);
        return { ...last, status: d.status.name === 'CANCELLED' ? 'cancelled' : 'failed' };
      }
    }
  };

  app.post('/deliveries/retry', {
    config: { roles: ['scheduler'] },
    schema: {
      tags: ['orders'],
      summary: 'Retry every held order a work-queue filter matches (a job; the same idempotencyKey returns the same job)',
      body: RetryRequest,
      response: { 202: JobStarted, 409: ErrorBody.describe('the idempotencyKey was used for another bulk retry'), ...rules(SLOT_RULE) },
    },
  }, async (request, reply) => {
    const { idempotencyKey: jobId, filter, slot, limit } = request.body;
    const requestHash = retryRequestHash({ filter, slot, limit });
    const workflowId = deliveryRetryJobWorkflowId(jobId);
    const input: DeliveryRetryJobInput = { jobId, filter, limit, requestHash, ...(slot ? { slot } : {}), requestedBy: request.actor! };
    const memo: JobMemo = { requestHash, filter, limit };
    try {
      await client.workflow.start(WORKFLOW_TYPE, {
        workflowId,
        taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
        args: [input],
        // A repeat finds the job this key started, running or finished, and starts no second one.
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        memo: memo as Record<string, unknown>,
        staticSummary: `Bulk delivery retry: ${describeHeldFilter(filter)} (at most ${limit})`,
        staticDetails: `Idempotency key **${jobId}**. New slot: ${slot ?? "the courier's next"}. Filter: ${JSON.stringify(filter)}.`,
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    // Compared after the start, so two different requests racing under one key cannot both pass.
    const { handle, d } = await describeJob(jobId);
    const prior = (d.memo ?? {}) as JobMemo;
    if (prior.requestHash !== requestHash) {
      const was = prior.filter ? `${describeHeldFilter(prior.filter)}, at most ${prior.limit}` : 'another request';
      throw conflict(`idempotencyKey '${jobId}' was already used for a different bulk retry (${was}); use a new key`);
    }
    const status = d.status.name === 'RUNNING' ? 'running' : (await progressOf(handle, d)).status;
    reply.header('location', `/deliveries/retry/${jobId}`);
    return reply.status(202).send({ jobId, workflowId, status });
  });

  app.get('/deliveries/retry/:jobId', {
    config: { roles: ['scheduler'] },
    schema: {
      tags: ['orders'],
      summary: "A bulk retry's progress: how many held orders were retried, accepted and refused, and the latest refusals",
      params: JobParams,
      response: { 200: JobProgress, 404: ErrorBody, 503: ErrorBody.describe('Temporal cannot answer now; retry') },
    },
  }, async (request) => {
    const { handle, d } = await describeJob(request.params.jobId);
    const p = await progressOf(handle, d);
    return { ...p, workflowId: handle.workflowId, temporalUi: uiLink(deps, handle.workflowId) };
  });

  app.post('/deliveries/retry/:jobId/cancel', {
    config: { roles: ['scheduler'] },
    schema: {
      tags: ['orders'],
      summary: 'Stop a bulk retry after its current batch (orders already retried keep their new booking)',
      params: JobParams,
      response: { 200: JobProgress, 404: ErrorBody, 409: ErrorBody },
    },
  }, async (request) => {
    const { handle } = await describeJob(request.params.jobId);
    try {
      const p = await handle.executeUpdate(cancelDeliveryRetryUpdate, { args: [{ by: request.actor! }] });
      return { ...p, workflowId: handle.workflowId, temporalUi: uiLink(deps, handle.workflowId) };
    } catch (err) {
      throw refusalOf(err, `delivery retry job '${request.params.jobId}'`);
    }
  });
};
