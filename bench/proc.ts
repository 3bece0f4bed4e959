import { readdirSync, readFileSync } from 'node:fs';

/** What the kernel says of a process (Linux /proc): the benches' view of CPU and memory, whatever runs inside. */

/** VmRSS and VmHWM (its peak) of a process, from /proc: the kernel's view, whatever runs inside. */
export function procMemory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** CPU time of a process so far, all its threads, in ms: utime + stime of /proc/<pid>/stat, in 1/100 s. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from the 3rd on; the name may hold spaces
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** CPU time of a process and all its descendants alive now. */
export function treeCpuMs(pid: number): number {
  let total = cpuMs(pid);
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    for (const child of readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean)) total += treeCpuMs(Number(child));
  }
  return total;
}
