/** A small client for the API, as a marketer's or scheduler's tool would use it. */
export class DemoApi {
  constructor(private readonly baseUrl: string) {}

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async get(path: string): Promise<any> {
    const res = await fetch(`${this.baseUrl}${path}`);
    if (!res.ok) throw new Error(`GET ${path} → ${res.status}: ${await res.text()}`);
    return res.json();
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async put(path: string, body: unknown): Promise<any> {
    const res = await fetch(`${this.baseUrl}${path}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`PUT ${path} → ${res.status}: ${await res.text()}`);
    return res.json();
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async post(path: string, body: unknown, headers: Record<string, string> = {}, ok = [200, 201]): Promise<any> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    if (!ok.includes(res.status)) throw new Error(`POST ${path} → ${res.status}: ${await res.text()}`);
    return res.json();
  }
}
