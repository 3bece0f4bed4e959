import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { shownPath } from './paths';

/**
 * Secrets the local stack makes once and keeps in its data folder (readable by its owner only),
 * so every process of it, restarted or not, agrees on them across runs: `make` them the first
 * time, check them (`problem`: why the kept ones will not do) every other. Development only.
 */
export function keptSecrets<T>(dataDir: string, name: string, make: () => T, problem: (kept: Partial<T>) => string | undefined): T {
  const file = path.join(dataDir, name);
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    const fresh = make();
    writeFileSync(file, `${JSON.stringify(fresh, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    return fresh;
  }
  let kept: Partial<T>;
  try {
    kept = JSON.parse(readFileSync(file, 'utf8')) as Partial<T>;
  } catch (err) {
    throw new Error(`${shownPath(file)}: not JSON (${(err as Error).message}); delete it to have new secrets made`);
  }
  const why = problem(kept);
  if (why) throw new Error(`${shownPath(file)}: ${why}; delete the file to have new secrets made`);
  return kept as T;
}
