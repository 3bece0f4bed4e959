import { fork } from 'node:child_process';
import path from 'node:path';
import autocannon from 'autocannon';
import { ROOT } from '../scripts/stack/paths';

/**
 * HTTP load from a process of its own (autocannon), so the load's CPU is not the server's: the
 * bench forks this file, sends it a LoadRequest, and gets a LoadResult back. Each request is for
 * the next id of the list (a path per id), or, with `cycle`, round the list again and again.
 */

export interface LoadRequest {
  /** The server's origin, http://host:port. */
  origin: string;
  /** The path of each request, ':id' replaced by the next id. */
  path: string;
  ids: number[];
  /** Round the ids again at their end; otherwise running out is an error (the list was too short). */
  cycle: boolean;
  connections: number;
  seconds: number;
  headers: Record<string, string>;
}

export interface LoadResult {
  requests: number;
  /** The responses over the time autocannon ran. */
  perSecond: number;
  /** Latency in ms (autocannon's histogram: whole milliseconds). */
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  max: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Ids taken from the list: the first `used` were asked for (some more than once when it cycled). */
  used: number;
  exhausted: boolean;
  /** CPU of the load process itself per request, ms. */
  loadCpu: number;
}

/** Runs one load in a forked process; rejects when it fails or sees an answer other than a 2xx. */
export function runLoad(request: LoadRequest): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(ROOT, 'bench', 'http-load.ts'), [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
    let result: LoadResult | undefined;
    child.on('message', (m) => { result = m as LoadResult; });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (!result) return reject(new Error(`the load process exited with ${code} and no result`));
      if (result.exhausted) return reject(new Error(`the load ran out of its ${request.ids.length} ids: open more interactions`));
      if (result.non2xx || result.errors || result.timeouts) {
        return reject(new Error(`${request.path}: ${result.non2xx} answers other than 2xx, ${result.errors} errors, ${result.timeouts} timeouts of ${result.requests}`));
      }
      resolve(result);
    });
    child.send(request);
  });
}

async function load(r: LoadRequest): Promise<LoadResult> {
  let next = 0;
  let taken = 0;
  let exhausted = false;
  const [before, after] = r.path.split(':id') as [string, string];
  const cpu = process.cpuUsage();
  const result = await autocannon({
    url: r.origin,
    connections: r.connections,
    duration: r.seconds,
    headers: r.headers,
    requests: [{
      method: 'GET',
      setupRequest: (req) => {
        if (next === r.ids.length) {
          exhausted ||= !r.cycle;
          next = 0;
        }
        taken++;
        return { ...req, path: `${before}${r.ids[next++]}${after}` };
      },
    }],
  });
  const { user, system } = process.cpuUsage(cpu);
  return {
    requests: result.requests.total,
    perSecond: result.requests.total / result.duration,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    mean: result.latency.average,
    max: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    used: Math.min(taken, r.ids.length),
    exhausted,
    loadCpu: (user + system) / 1000 / result.requests.total,
  };
}

// Forked by runLoad: one request in, one result out.
if (process.send && process.argv[1] && path.resolve(process.argv[1]) === path.join(ROOT, 'bench', 'http-load.ts')) {
  process.once('message', (m) => {
    load(m as LoadRequest).then((result) => process.send!(result, () => process.exit(0)), (err: Error) => {
      console.error(`load: ${err.message}`);
      process.exit(1);
    });
  });
}
