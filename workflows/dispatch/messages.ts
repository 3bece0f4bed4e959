import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { HeldDeliveryFilter } from '../../domain/dispatch/held-deliveries';
import type { Actor } from '../../domain/access/roles';

export { deliveryRetryJobWorkflowId } from '../../domain/dispatch/ids';

// ---- Messages ----------------------------------------------------------------------------------

export type DeliveryRetryJobStatus = 'running' | 'completed' | 'cancelled';

export interface DeliveryRetryProgress {
  jobId: string;
  status: DeliveryRetryJobStatus;
  /** Held orders the filter matched when the job started: its fixed scope. */
  total: number;
  done: number;
  /** A new delivery was booked. */
  accepted: number;
  /** The order said no (no longer held, already delivered, cancelled, a retry under way). */
  refused: number;
  /** The order could not be asked (not found). */
  failed: number;
  startedAt: string;
  filter: HeldDeliveryFilter;
  slot?: string;
  /** The latest refusals and failures, newest last (at most 20). */
  lastErrors: { orderId: string; reason: string }[];
  /** How many times the job has continued as new (history hand-overs). */
  run: number;
}

export const deliveryRetryProgressQuery = defineQuery<DeliveryRetryProgress>('progress');
/** Stops the job between batches, and who asked (added later: older callers send none); answers once it has stopped. */
export const cancelDeliveryRetryUpdate = defineUpdate<DeliveryRetryProgress, [{ by?: Actor }]>('cancel');

// ---- Input and the state carried across continue-as-new --------------------------------------

export interface CarriedJob {
  startedAt: string;
  total: number;
  accepted: number;
  refused: number;
  failed: number;
  lastErrors: { orderId: string; reason: string }[];
  /** Orders of the snapshot not retried yet, in the work queue's order. */
  remaining: string[];
  run: number;
}

export interface DeliveryRetryJobInput {
  jobId: string;
  filter: HeldDeliveryFilter;
  /** The slot every new booking asks for (ISO time); the courier's next slot otherwise. */
  slot?: string;
  /** The scheduler who asked for the job; each order's history names them with its retry. */
  requestedBy?: Actor;
  /** At most this many orders. */
  limit: number;
  /** The request's hash, also in the memo: the API compares a repeat of the same key with it. */
  requestHash: string;
  /** Orders asked at once (one activity per batch). */
  batchSize?: number;
  /** How long each order's retry waits for its new booking before the batch moves on. */
  bookingWaitSeconds?: number;
  /** Hand over to a new run past this many history events. */
  historyLimit?: number;
  carried?: CarriedJob;
}
