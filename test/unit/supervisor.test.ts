import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Supervisor } from '../../scripts/stack/supervisor';
import { uniqueId } from '../support/harness';

const dir = mkdtempSync(path.join(os.tmpdir(), 'supervisor-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A child that counts its starts in a file and exits with code 3 at once. */
function crasher(sup: Supervisor, name: string) {
  const starts = path.join(dir, `${name}.starts`);
  const script = `require('fs').appendFileSync(${JSON.stringify(starts)}, 'x'); process.exit(3)`;
  sup.spawn(name, process.execPath, ['-e', script], {}, { restart: true });
  return () => (existsSync(starts) ? readFileSync(starts, 'utf8').length : 0);
}

const forever = new Promise<never>(() => {});

describe('Supervisor restarts', () => {
  it('restarts a crashing child with a growing delay, and gives up after maxRestarts within the window', async () => {
    const name = uniqueId('crasher');
    const sup = new Supervisor('the supervisor test', `${name}-lock`);
    const lines: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((line: unknown) => void lines.push(String(line)));
    try {
      const starts = crasher(sup, name);
      sup.keepRunning({ maxRestarts: 2, windowMs: 60_000, firstDelayMs: 50, maxDelayMs: 80 });
      await expect(sup.watch(forever)).rejects.toThrow(`${name} exited 3 times in the last minute (last: code 3)`);
      expect(starts()).toBe(3);
      expect(lines).toEqual([
        expect.stringMatching(new RegExp(`^${name} exited \\(code 3\\); restarting in 0.05 s \\(restart 1 of 2 in the last minute\\)`)),
        expect.stringMatching(new RegExp(`^${name} exited \\(code 3\\); restarting in 0.08 s \\(restart 2 of 2 in the last minute\\)`)),
        expect.stringMatching(new RegExp(`^${name} exited \\(code 3\\), 3 exits in the last minute: giving up, stopping the stack`)),
      ]);
    } finally {
      spy.mockRestore();
      await sup.stop();
    }
  });

  it('fails watch() at the first exit while the stack comes up (before keepRunning)', async () => {
    const name = uniqueId('crasher');
    const sup = new Supervisor('the supervisor test', `${name}-lock`);
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const starts = crasher(sup, name);
      await expect(sup.watch(forever)).rejects.toThrow(`${name} stopped unexpectedly (code 3)`);
      expect(starts()).toBe(1);
    } finally {
      spy.mockRestore();
      await sup.stop();
    }
  });
});
