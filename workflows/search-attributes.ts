import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes, declared once: workflows upsert them, clients set them at start and
 * query them, and the dev server registers them from SEARCH_ATTRIBUTES at start.
 */
export const CampaignIdKey = defineSearchAttributeKey('CampaignId', SearchAttributeType.KEYWORD);
export const CampaignStatusKey = defineSearchAttributeKey('CampaignStatus', SearchAttributeType.KEYWORD);
export const OrderStatusKey = defineSearchAttributeKey('OrderStatus', SearchAttributeType.KEYWORD);
export const RegionKey = defineSearchAttributeKey('Region', SearchAttributeType.KEYWORD);
export const TeamKey = defineSearchAttributeKey('Team', SearchAttributeType.KEYWORD);
export const DeliveryAttemptsKey = defineSearchAttributeKey('DeliveryAttempts', SearchAttributeType.INT);
/** A held order nobody decided on within its SLA. */
export const EscalatedKey = defineSearchAttributeKey('Escalated', SearchAttributeType.BOOL);
/** A hotline interaction's agent, its customer (an id, as everywhere in Temporal) and where it stands: call, following-up, done. */
export const AgentIdKey = defineSearchAttributeKey('AgentId', SearchAttributeType.KEYWORD);
export const CustomerIdKey = defineSearchAttributeKey('CustomerId', SearchAttributeType.INT);
export const InteractionPhaseKey = defineSearchAttributeKey('InteractionPhase', SearchAttributeType.KEYWORD);

/** name=Type pairs, as `temporal server start-dev --search-attribute` and docker-compose want them. */
export const SEARCH_ATTRIBUTES: Record<string, 'Keyword' | 'Int' | 'Bool'> = {
  CampaignId: 'Keyword',
  CampaignStatus: 'Keyword',
  OrderStatus: 'Keyword',
  Region: 'Keyword',
  Team: 'Keyword',
  DeliveryAttempts: 'Int',
  Escalated: 'Bool',
  AgentId: 'Keyword',
  CustomerId: 'Int',
  InteractionPhase: 'Keyword',
};
