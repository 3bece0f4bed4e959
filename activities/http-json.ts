/**
 * The one HTTP call shape our adapters need (JSON in, JSON out, a deadline). Node's fetch does the
 * work; this only adds the deadline and turns a network failure into an error the retry policy sees.
 */
export interface JsonResponse {
  status: number;
  body: unknown;
}

export async function postJson(
  url: string,
  body: unknown,
  opts: { headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<JsonResponse> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...opts.headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
  });
  return readJson(res);
}

export async function getJson(url: string, opts: { timeoutMs?: number } = {}): Promise<JsonResponse> {
  return readJson(await fetch(url, { signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000) }));
}

async function readJson(res: Response): Promise<JsonResponse> {
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // keep the raw text: it goes into the error message
  }
  return { status: res.status, body: parsed };
}

export function describeResponse(system: string, res: JsonResponse): string {
  return `${system} answered ${res.status}: ${typeof res.body === 'string' ? res.body : JSON.stringify(res.body)}`;
}
