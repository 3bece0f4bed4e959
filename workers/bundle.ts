import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOWS_PATH } from './worker';
import { FAILURE_CONVERTER_PATH } from '../infra/privacy/data-converter';

const noop = () => {};
/** webpack's progress lines are noise; its errors are not. */
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };

/**
 * Bundles the workflow code once into one file, as the SDK recommends for production: a worker
 * given WORKFLOW_BUNDLE starts in a second instead of bundling again at every start (and every
 * restart after a crash). The Dockerfile runs it at build time, the stack before it starts the worker.
 */
export async function buildWorkflowBundle(outFile: string): Promise<string> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH, logger: quietLogger,
    // failures raised in workflow code are encoded (then encrypted) like those of activities
    failureConverterPath: FAILURE_CONVERTER_PATH,
  });
  mkdirSync(path.dirname(outFile), { recursive: true });
  writeFileSync(outFile, code);
  return outFile;
}
