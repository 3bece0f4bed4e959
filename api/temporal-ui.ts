import type { AppDeps } from './deps';

/** Where an operator sees a workflow in the Temporal UI: every context's resources link to theirs. */
export const uiLink = (deps: AppDeps, workflowId: string) =>
  `${deps.config.TEMPORAL_UI_URL}/namespaces/${deps.config.TEMPORAL_NAMESPACE}/workflows/${encodeURIComponent(workflowId)}`;
