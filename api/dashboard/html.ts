import { escapeHtml } from '../html';

export { escapeHtml };

/** How a figure reads: a count, a rate as a percentage, a number with decimals, hours as h and min, or text. */
export type Format = 'int' | 'pct' | 'dec' | 'hours' | 'text';

/** A table's column: its heading, the figure's name (data-figure, what the test reads), its value. */
export interface Column<T> {
  head: string;
  figure: string;
  value: (row: T) => number | string | null;
  format?: Format;
}

const INT = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });
const DEC = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 2 });

/** A figure as people read it ("–" when there is none). */
export function shown(value: number | string | null, format: Format = 'int'): string {
  if (value === null || value === '') return '–';
  if (typeof value === 'string' || format === 'text') return escapeHtml(String(value));
  if (format === 'pct') return `${DEC.format(Math.round(value * 1000) / 10)} %`;
  if (format === 'hours') return duration(value);
  return format === 'dec' ? DEC.format(value) : INT.format(value);
}

/** Hours as people say them: "3 h 05 min", "12 min", "40 s". */
function duration(hours: number): string {
  const seconds = Math.round(hours * 3600);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  return minutes < 60 ? `${minutes} min` : `${INT.format(Math.floor(minutes / 60))} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/**
 * A table of figures: each row keyed (data-key), each cell naming its figure (data-figure) and
 * holding its exact value (data-value) beside the value shown, so a test reads what the page shows
 * without parsing "1,234" or "66.7 %".
 */
export function table<T>(id: string, columns: readonly Column<T>[], rows: readonly T[], key: (row: T) => string, attrs: object = {}): string {
  const extra = Object.entries(attrs).map(([k, v]) => ` data-${k}="${escapeHtml(String(v))}"`).join('');
  const head = columns.map((c) => `<th${c.format === 'text' ? '' : ' class="n"'}>${escapeHtml(c.head)}</th>`).join('');
  const body = rows.map((row) => {
    const cells = columns.map((c) => {
      const v = c.value(row);
      const cls = c.format === 'text' ? '' : ' class="n"';
      return `<td${cls} data-figure="${escapeHtml(c.figure)}" data-value="${escapeHtml(v === null ? '' : String(v))}">${shown(v, c.format)}</td>`;
    }).join('');
    return `<tr data-key="${escapeHtml(key(row))}">${cells}</tr>`;
  }).join('\n');
  const empty = rows.length ? '' : `<tr class="empty"><td colspan="${columns.length}">nothing to show</td></tr>`;
  return `<table id="${escapeHtml(id)}"${extra}><thead><tr>${head}</tr></thead><tbody>${body}${empty}</tbody></table>`;
}

/** A section of the page: a heading, a line saying what it shows, and its content. */
export const section = (id: string, title: string, note: string, content: string): string =>
  `<section id="${escapeHtml(id)}"><h2>${escapeHtml(title)}</h2><p class="note">${note}</p>${content}</section>`;

/**
 * A chart and its table side by side (the chart for people, the table for the exact figures); the
 * chart is drawn only when there is something to draw.
 */
export const chartAndTable = (rows: number, chart: () => string, tableHtml: string): string =>
  `<div class="pair">${rows ? `<figure>${chart()}</figure>` : ''}<div class="scroll">${tableHtml}</div></div>`;

const CSS = `
*{box-sizing:border-box}body{font:14px/1.4 system-ui,sans-serif;margin:0;background:#f5f6f8;color:#1d2330}
header{display:flex;flex-wrap:wrap;gap:.5rem 2rem;align-items:baseline;padding:.8rem 1.5rem;background:#1d2330;color:#fff}
header h1{font-size:1.2rem;margin:0}header .meta{opacity:.8}
main{padding:1rem 1.5rem;display:grid;grid-template-columns:minmax(0,1fr);gap:1rem}
section{min-width:0;background:#fff;border-radius:6px;padding:.8rem 1rem;box-shadow:0 1px 2px #0002}
h2{font-size:1.05rem;margin:.2rem 0}h3{font-size:.95rem;margin:.6rem 0 .2rem}.note{color:#5a6272;margin:.2rem 0 .6rem}
.pair{display:flex;flex-wrap:wrap;gap:1rem;align-items:flex-start}figure{margin:0}.scroll{overflow-x:auto;max-width:100%}
.campaign{border-top:1px solid #e3e6eb;padding-top:.6rem;margin-top:.6rem}.campaign:first-of-type{border-top:0;margin-top:0}
table{border-collapse:collapse;font-size:13px}th,td{padding:.2rem .5rem;border-bottom:1px solid #e3e6eb;text-align:left;white-space:nowrap}
th{background:#f0f2f5;font-weight:600}.n{text-align:right;font-variant-numeric:tabular-nums}tr.empty td{color:#8a93a3;font-style:italic}
.badge{display:inline-block;padding:0 .4rem;border-radius:3px;background:#e3e6eb;font-size:12px}.badge.running{background:#cfe8d6}.badge.paused{background:#f6e2bf}
.todo{color:#8a93a3;font-style:italic}
`;

/**
 * The page around the sections: plain HTML with inline CSS, no script. While `refreshSeconds` is
 * set (a campaign runs), the browser reloads it by itself (meta refresh), so a wall screen follows.
 */
export function pageShell(opts: { title: string; header: string; body: string; refreshSeconds?: number }): string {
  const refresh = opts.refreshSeconds ? `<meta http-equiv="refresh" content="${opts.refreshSeconds}">` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">${refresh}
<title>${escapeHtml(opts.title)}</title><style>${CSS}</style></head>
<body>
<header>${opts.header}</header>
<main>
${opts.body}
</main>
</body></html>
`;
}
