import { patched, setHandler } from '@temporalio/workflow';
import { withOfferDefaults, withPolicyDefaults } from '../../domain/order/policy';
import { activate } from './activation';
import { cancelRequested, refuseCancel } from './compensation';
import { deliver } from './delivery';
import { followUp } from './follow-up';
import {
  LOGISTICS_PATCH,
  WAITS_RECORDED_PATCH,
  cancelOrderUpdate,
  deliveryReportSignal,
  orderQuery,
  reassignDeliveryUpdate,
  rescheduleDeliveryUpdate,
  retryDeliveryUpdate,
  stockArrivedSignal,
  type OrderView,
  type OrderWorkflowInput,
} from './messages';
import { OrderRun } from './run';
import { changeBooking, refuseChange, refuseReschedule, refuseRetry, retryDelivery } from './scheduler';

/**
 * One order, after TMF622: delivered (stock reserved, booked with the courier, retried or held for
 * a scheduler), activated in the BSS, then followed up with a call; cancelled or failed with what
 * it did undone. Each phase answers undefined to go on, or the view of the order it closed.
 */
export async function orderWorkflow(input: OrderWorkflowInput): Promise<OrderView> {
  // Orders started before a policy field existed get its default.
  const policy = withPolicyDefaults(input.policy);
  const logistics = patched(LOGISTICS_PATCH);
  // What it ships and collects: an offer from before those fields gets their defaults.
  const o = new OrderRun(input, policy, logistics, logistics ? withOfferDefaults(input.offer) : undefined, patched(WAITS_RECORDED_PATCH));

  setHandler(orderQuery, o.view);
  setHandler(deliveryReportSignal, (report) => o.state.reportArrived(report));
  setHandler(stockArrivedSignal, () => { o.state.stockArrived = true; });
  setHandler(cancelOrderUpdate, (req) => cancelRequested(o, req), { validator: (_req) => refuseCancel(o) });
  setHandler(retryDeliveryUpdate, (req) => retryDelivery(o, req), { validator: (req) => refuseRetry(o, req) });
  setHandler(rescheduleDeliveryUpdate, ({ slot, by }) => changeBooking(o, { slot, ...(by ? { by } : {}) }), { validator: (req) => refuseReschedule(o, req) });
  setHandler(reassignDeliveryUpdate, ({ courier, by }) => changeBooking(o, { courier, ...(by ? { by } : {}) }), { validator: (_req) => refuseChange(o, 'reassignment') });

  return (await deliver(o)) ?? (await activate(o)) ?? followUp(o);
}
