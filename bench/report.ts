import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../scripts/stack/paths';

const FILE = path.join(ROOT, 'docs', 'benchmarks.md');
const HEADER = `# Benchmarks

Each benchmark measures the project's code and a bare baseline doing the same work **in the same
run, on the same servers**, and judges the ratio, never an absolute time: these machines are
shared and noisy. \`npm run bench -- <name>\` rewrites its own section below.
`;

/** Replaces (or appends) the named section of docs/benchmarks.md, keeping the others. */
export function writeSection(name: string, markdown: string): void {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  let text = existsSync(FILE) ? readFileSync(FILE, 'utf8') : HEADER;
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  text = i >= 0 && j > i ? text.slice(0, i) + block + text.slice(j + end.length) : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(FILE, text);
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
