/** One sample of a scrape: `name{labels} value`. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: Sample[];
  /** Each metric family's TYPE (counter, gauge, histogram, ...). */
  types: Map<string, string>;
  help: Map<string, string>;
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})?[ \\t]+(\\S+)(?:[ \\t]+-?\\d+)?$`);
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(?:,|$)/y;
const FAMILY_SUFFIXES = ['_bucket', '_sum', '_count', '_total', '_created'];

/** As Prometheus reads a value (Go's ParseFloat): NaN and Inf in any case, e.g. prom-client's `Nan`. */
function parseValue(text: string, line: string): number {
  if (/^[+]?inf(inity)?$/i.test(text)) return Infinity;
  if (/^-inf(inity)?$/i.test(text)) return -Infinity;
  if (/^nan$/i.test(text)) return NaN;
  const n = Number(text);
  if (Number.isNaN(n)) throw new Error(`not a number in '${line}'`);
  return n;
}

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const at = LABEL.lastIndex;
    const m = LABEL.exec(text);
    if (!m || m.index !== at) throw new Error(`bad labels in '${line}'`);
    if (m[1]! in labels) throw new Error(`label ${m[1]} twice in '${line}'`);
    labels[m[1]!] = m[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

/**
 * The Prometheus text exposition format (0.0.4), read strictly: every line a comment, blank or a
 * sample; a family's TYPE given once, before its samples; a sample of a family with a TYPE named
 * by that family (a histogram's _bucket, _sum, _count). Throws on the first line that is not.
 */
export function parseExposition(text: string): Exposition {
  const e: Exposition = { samples: [], types: new Map(), help: new Map() };
  const seenSamples = new Set<string>();
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const comment = /^#\s*(HELP|TYPE)\s+(\S+)\s*(.*)$/.exec(line);
    if (comment) {
      const [, kind, name, rest] = comment;
      const map = kind === 'TYPE' ? e.types : e.help;
      if (map.has(name!)) throw new Error(`# ${kind} ${name} given twice`);
      if (kind === 'TYPE' && seenSamples.has(name!)) throw new Error(`# TYPE ${name} after its samples`);
      map.set(name!, rest!);
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`not a sample: '${line}'`);
    const name = m[1]!;
    const family = e.types.has(name) ? name : FAMILY_SUFFIXES.map((s) => (name.endsWith(s) ? name.slice(0, -s.length) : '')).find((f) => f && e.types.has(f));
    seenSamples.add(family ?? name);
    e.samples.push({ name, labels: m[2] ? parseLabels(m[2], line) : {}, value: parseValue(m[3]!, line) });
  }
  return e;
}

/** The sum of the samples of `name` whose labels include `labels`; undefined when there is none. */
export function sampleValue(e: Exposition, name: string, labels: Record<string, string> = {}): number | undefined {
  const matching = e.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return matching.length ? matching.reduce((sum, s) => sum + s.value, 0) : undefined;
}
