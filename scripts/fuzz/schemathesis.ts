import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { schemathesisCli } from '../stack/binaries';
import { DATA_DIR, ROOT } from '../stack/paths';

export interface FuzzOptions {
  /** The API's base URL; its document is `<apiUrl>/docs/json`. */
  apiUrl: string;
  /** A bearer token of a role that may call every route (admin). */
  token: string;
  /** The secrets the API takes from each sender: the webhooks are signed with them (scripts/fuzz/credentials.py). */
  webhookSecrets: { dialer: string; courier: string };
  /** Test cases per operation and phase. */
  maxExamples: number;
  seed: number;
  workers: number;
  /** Where the JUnit report goes. */
  reportDir: string;
  /** Echo schemathesis's output as it comes (npm run fuzz), or only keep it (the test). */
  echo: boolean;
}

export interface FuzzResult {
  /** Schemathesis's exit code: 0 when it found nothing. */
  status: number;
  output: string;
  /** Its closing summary: phases, failures per check, cases generated. */
  summary: string;
  junitPath: string;
}

/**
 * One schemathesis run against the API's OpenAPI document, every check (`--checks all`), every
 * operation, with schemathesis.toml's settings (the admin's token for bearerAuth, the webhooks
 * signed, 422 as the documented answer to a broken rule). Runs from the project's root, where that
 * file is.
 */
export async function runSchemathesis(opts: FuzzOptions): Promise<FuzzResult> {
  const result = await runOnce(opts);
  // Hypothesis itself sometimes crashes on one operation (its bug, not the API's); another seed
  // avoids it. Only when that crash is all the run found.
  if (result.status !== 0 && !/^Failures:/m.test(result.summary) && result.output.includes(HYPOTHESIS_CRASH)) {
    const seed = opts.seed + 1;
    const note = `schemathesis: hypothesis crashed ("${HYPOTHESIS_CRASH}"), which is its own bug; once more with seed ${seed}\n`;
    if (opts.echo) console.log(`\n${note}`);
    const again = await runOnce({ ...opts, seed });
    return { ...again, output: `${result.output}\n${note}\n${again.output}` };
  }
  return result;
}

const HYPOTHESIS_CRASH = 'AST constructor recursion depth mismatch';

async function runOnce(opts: FuzzOptions): Promise<FuzzResult> {
  const cli = schemathesisCli();
  mkdirSync(opts.reportDir, { recursive: true });
  const junitPath = path.join(opts.reportDir, 'schemathesis-junit.xml');
  const args = [
    'run', `${opts.apiUrl}/docs/json`, '--checks', 'all', '--max-examples', String(opts.maxExamples), '--seed', String(opts.seed),
    '--workers', String(opts.workers), '--no-color', '--report', 'junit', '--report-junit-path', junitPath,
  ];
  const child = spawn(cli, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      FUZZ_TOKEN: opts.token,
      FUZZ_DIALER_WEBHOOK_SECRET: opts.webhookSecrets.dialer,
      FUZZ_COURIER_WEBHOOK_SECRET: opts.webhookSecrets.courier,
      // Hypothesis keeps its caches (unicode tables, constants) here, not in the project's root.
      HYPOTHESIS_STORAGE_DIRECTORY: path.join(DATA_DIR, 'hypothesis'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const take = (chunk: Buffer) => {
    output += chunk.toString();
    if (opts.echo) process.stdout.write(chunk);
  };
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  const status = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
  const at = output.lastIndexOf('SUMMARY');
  const summary = at >= 0 ? output.slice(output.lastIndexOf('\n', at) + 1) : output.slice(-3000);
  return { status, output, summary, junitPath };
}
