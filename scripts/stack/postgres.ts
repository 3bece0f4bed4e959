import { spawnSync } from 'node:child_process';
import { accessSync, chownSync, constants, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { DATA_DIR, ROOT, shownPath } from './paths';

export interface PostgresHandle {
  /** The cluster's data folder. */
  dataDir: string;
  /** Connection string of the server (without a database name). */
  serverUrl: string;
  /** True when this call started the server, and so should stop it. */
  started: boolean;
  /** The server's log file. */
  logFile: string;
  /** Whether the postmaster this call found or started still runs. */
  running(): boolean;
  stop(): void;
}

const DEBIAN_PG_ROOT = '/usr/lib/postgresql';

/** The server binaries: PG_BIN_DIR, else the newest Debian-packaged version (15 preferred). */
function binDir(): string {
  if (process.env.PG_BIN_DIR) return process.env.PG_BIN_DIR;
  const versions = existsSync(DEBIAN_PG_ROOT)
    ? readdirSync(DEBIAN_PG_ROOT).filter((v) => existsSync(path.join(DEBIAN_PG_ROOT, v, 'bin', 'initdb')))
    : [];
  const pick = versions.includes('15') ? '15' : versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!pick) {
    throw new Error(
      'no PostgreSQL server binaries found (looked for initdb under /usr/lib/postgresql/*/bin). ' +
        'Install them (Debian: apt-get install postgresql-15), set PG_BIN_DIR to their folder, ' +
        'or point DATABASE_URL at a server you run, e.g. DATABASE_URL=postgres://user:pass@host:5432/telemarketing',
    );
  }
  return path.join(DEBIAN_PG_ROOT, pick, 'bin');
}

const isRoot = () => process.getuid?.() === 0;

/** initdb refuses to run as root, so as root the cluster belongs to the `postgres` user. */
function run(bin: string, args: string[], opts: { allowFail?: boolean } = {}) {
  const cmd = isRoot() ? 'runuser' : bin;
  const argv = isRoot() ? ['-u', 'postgres', '--', bin, ...args] : args;
  const r = spawnSync(cmd, argv, { encoding: 'utf8' });
  if (r.status !== 0 && !opts.allowFail) {
    throw new Error(`${path.basename(bin)} failed: ${(r.stderr || r.stdout || '').trim()}`);
  }
  return r;
}

/**
 * The cluster's folder: .data/pg inside the project; when the `postgres` user cannot reach the
 * project (a checkout in root's home, say), a per-project folder in the system temp dir instead.
 */
function clusterDir(): string {
  const inProject = path.join(DATA_DIR, 'pg');
  if (!isRoot()) return inProject;
  mkdirSync(DATA_DIR, { recursive: true });
  const probe = spawnSync('runuser', ['-u', 'postgres', '--', 'test', '-x', DATA_DIR]);
  if (probe.status === 0) return inProject;
  // Keyed by the project, as before STACK_DATA_DIR existed, so a default stack finds its cluster again.
  const tag = createHash('sha1').update(process.env.STACK_DATA_DIR ? DATA_DIR : ROOT).digest('hex').slice(0, 10);
  return path.join(os.tmpdir(), `telemarketing-pg-${tag}`);
}

/** Creates (once) and starts the project's own Postgres cluster on its own port. */
export async function ensurePostgres(port: number): Promise<PostgresHandle> {
  return startPostgresCluster(clusterDir(), port);
}

/**
 * The server settings of every cluster the scripts start (the stack's, the tests', the benches').
 * Commits stay synchronous, as in production (docker-compose.yml's postgres:15 defaults): the
 * stack's figures must be the ones production gets, and infra/db.ts asks for it per connection anyway.
 */
const SERVER_OPTIONS = ['-c listen_addresses=127.0.0.1', "-c unix_socket_directories=''", '-c max_connections=200'];

/**
 * Creates (once) and starts a cluster in `dir` (its data in dir/data, its log in dir/postgres.log)
 * on `port`; a cluster already running there is used as it is.
 */
export async function startPostgresCluster(dir: string, port: number): Promise<PostgresHandle> {
  const bin = binDir();
  const data = path.join(dir, 'data');
  const serverUrl = `postgres://postgres@127.0.0.1:${port}`;
  mkdirSync(dir, { recursive: true });
  if (isRoot()) {
    const pwent = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    if (pwent.status !== 0) throw new Error('running as root, but there is no `postgres` user to own the cluster');
    chownSync(dir, Number(pwent.stdout.trim()), Number(gid.stdout.trim()));
  } else {
    accessSync(dir, constants.W_OK);
  }
  if (!existsSync(path.join(data, 'PG_VERSION'))) {
    console.log(`creating the project's Postgres cluster in ${shownPath(data)} …`);
    run(path.join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C']);
  }
  const status = run(path.join(bin, 'pg_ctl'), ['status', '-D', data], { allowFail: true });
  let started = false;
  if (status.status !== 0) {
    if (await reachable(serverUrl)) {
      throw new Error(`port ${port} is taken by another Postgres; stop it, or set DATABASE_URL to use it`);
    }
    const opts = [`-p ${port}`, ...SERVER_OPTIONS].join(' ');
    run(path.join(bin, 'pg_ctl'), ['start', '-w', '-t', '60', '-D', data, '-l', path.join(dir, 'postgres.log'), '-o', opts]);
    started = true;
  }
  if (!(await reachable(serverUrl))) throw new Error(`Postgres in ${data} is running but not answering on port ${port}`);
  const pid = postmasterPid(data);
  return {
    dataDir: data,
    serverUrl,
    started,
    logFile: path.join(dir, 'postgres.log'),
    running: () => pid !== undefined && isAlive(pid),
    stop: () => {
      if (started) stopPostgresCluster(data);
    },
  };
}

/** The postmaster's pid, from the first line of postmaster.pid (absent when the server is down). */
export function postmasterPid(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** `immediate` is a crash as far as the data is concerned: no checkpoint, recovery from the WAL at the next start. */
export function stopPostgresCluster(dataDir: string, mode: 'fast' | 'immediate' = 'fast'): void {
  run(path.join(binDir(), 'pg_ctl'), ['stop', '-m', mode, '-D', dataDir], { allowFail: true });
}

async function reachable(serverUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: `${serverUrl}/postgres`, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Creates the database when missing; with fresh: drops it first (the test suite starts clean). */
export async function ensureDatabase(serverUrl: string, name: string, opts: { fresh?: boolean } = {}): Promise<string> {
  const admin = new pg.Client({ connectionString: `${serverUrl}/postgres` });
  await admin.connect();
  try {
    if (opts.fresh) await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } finally {
    await admin.end();
  }
  return `${serverUrl}/${name}`;
}

/** Splits a DATABASE_URL into the server part and the database name. */
export function splitDatabaseUrl(url: string): { serverUrl: string; database: string } {
  const u = new URL(url);
  const database = decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres';
  u.pathname = '';
  return { serverUrl: u.toString().replace(/\/$/, ''), database };
}

