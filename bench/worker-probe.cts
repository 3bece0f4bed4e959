// Preloaded (`node --require`) into the worker process of `npm run bench -- orders`, which runs
// workers/main.ts unchanged. CommonJS, because only `--require` preloads run in worker threads as
// well, and the workflows live in the worker's workflow thread (the SDK's reused V8 context).
//
// - In the main thread: GET /memory on BENCH_PROBE_PORT collects garbage in every thread and
//   answers each thread's JS heap. (The sticky cache's size the bench reads from the worker's own
//   metrics endpoint, WORKER_METRICS_PORT: workers/main.ts installs the Temporal runtime itself.)
// - In every thread: a full GC (node runs with --expose-gc) when the main thread asks.
import http from 'node:http';
import v8 from 'node:v8';
import { BroadcastChannel, isMainThread, threadId } from 'node:worker_threads';

export interface ThreadHeap {
  threadId: number;
  /** Bytes of live JS objects after the GC. */
  heapUsed: number;
  /** Bytes the heap holds from the system after the GC (V8 gives memory back slowly). */
  heapTotal: number;
}

export interface ProbeMemory {
  rss: number;
  threads: ThreadHeap[];
}

const CHANNEL = 'bench-worker-probe';
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('worker-probe: node must run with --expose-gc');
const heap = (): ThreadHeap => {
  const h = v8.getHeapStatistics();
  return { threadId, heapUsed: h.used_heap_size, heapTotal: h.total_heap_size };
};

const channel = new BroadcastChannel(CHANNEL);
channel.unref(); // never what keeps a thread alive

if (!isMainThread) {
  channel.onmessage = (event) => {
    if ((event as MessageEvent).data !== 'gc') return;
    gc();
    channel.postMessage(heap());
  };
  channel.postMessage({ hello: threadId });
} else {
  /** The threads that said hello: each must answer before the probe does. */
  const threads = new Set<number>();
  let replies: ThreadHeap[] = [];
  let answered = () => {};
  channel.onmessage = (event) => {
    const msg = (event as MessageEvent).data as ThreadHeap | { hello: number };
    if ('hello' in msg) threads.add(msg.hello);
    else {
      replies.push(msg);
      if (replies.length >= threads.size) answered();
    }
  };
  const server = http.createServer((req, res) => {
    if (req.url !== '/memory') {
      res.writeHead(404).end();
      return;
    }
    replies = [];
    // A thread busy with a task, or collecting a large heap, answers late; a minute is the limit.
    const done = new Promise<void>((resolve) => {
      answered = resolve;
      setTimeout(resolve, 60_000).unref();
    });
    channel.postMessage('gc');
    gc();
    const main = heap();
    void done.then(() => {
      const body: ProbeMemory = { rss: process.memoryUsage().rss, threads: [main, ...replies] };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  server.listen(Number(process.env.BENCH_PROBE_PORT), '127.0.0.1');
  server.unref();
}
