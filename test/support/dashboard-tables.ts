import type { Page } from 'playwright-core';

/** A dashboard table as its cells hold the figures: rows by data-key, cells by data-figure (the page's contract with its tests). */
export type Table = { attrs: Record<string, string>; rows: Record<string, Record<string, string>> };

export const readTable = (page: Page, id: string): Promise<Table> => page.$eval(`#${id}`, (t: any) => ({ // eslint-disable-line @typescript-eslint/no-explicit-any
  attrs: { ...t.dataset },
  rows: Object.fromEntries([...t.querySelectorAll('tbody tr[data-key]')].map((tr: any) => [ // eslint-disable-line @typescript-eslint/no-explicit-any
    tr.dataset.key,
    Object.fromEntries([...tr.querySelectorAll('td[data-figure]')].map((td: any) => [td.dataset.figure, td.dataset.value])), // eslint-disable-line @typescript-eslint/no-explicit-any
  ])),
}));

/** A figure as the page holds it: '' is none (null). */
export const figure = (v: string | undefined): number | null => (v === undefined || v === '' ? null : Number(v));
