import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import { Worker } from '@temporalio/worker';
import { temporalDataConverter } from '../../infra/privacy/data-converter';
import { temporalCli } from '../../scripts/stack/binaries';
import type { Harness } from './harness';

/** The recorded histories that test/replay/replay.test.ts replays on every run. */
export const HISTORIES_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'replay', 'histories');

/**
 * Replays a run just finished on today's code (a fresh determinism check), and with
 * `RECORD_HISTORIES=1` keeps it as histories/<name>.json (unless no name is given), replayed for
 * ever after. Without a run id: the latest run.
 */
export async function replayAndKeep(h: Harness, workflowId: string, name: string | undefined, runId?: string) {
  const history = await h.client.workflow.getHandle(workflowId, runId).fetchHistory();
  await Worker.runReplayHistory(
    { workflowBundle: { codePath: inject('workflowBundlePath') }, dataConverter: temporalDataConverter(inject('payloadKeys')) }, history, workflowId);
  if (name && process.env.RECORD_HISTORIES) {
    // The CLI writes the proto3 JSON that runReplayHistory reads, decrypted by the API's codec
    // server: the kept file is readable (and replays without this run's key).
    const args = ['workflow', 'show', '--address', inject('temporalAddress'), '-w', workflowId, ...(runId ? ['-r', runId] : []), '-o', 'json',
      '--codec-endpoint', `${h.apiUrl}/codec`, '--codec-auth', `Bearer ${h.token('ops')}`];
    // async: the codec server the CLI calls is this process's own API
    const { stdout: json } = await promisify(execFile)(temporalCli(), args, { encoding: 'utf8', maxBuffer: 64 << 20 });
    writeFileSync(path.join(HISTORIES_DIR, `${name}.json`), withoutStackTraces(json));
  }
  return history;
}

/**
 * Failures in a history carry the worker's stack traces, which name this machine's paths; a
 * replay never reads them, so the kept file has them emptied.
 */
export const withoutStackTraces = (json: string) => json.replace(/"stackTrace": "(?:[^"\\]|\\.)*"/g, '"stackTrace": ""');
