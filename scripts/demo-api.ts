import type { Role } from '../domain/access/roles';

/**
 * A small client for the API, as a marketer's or scheduler's tool would use it: each request
 * carries the bearer token of the role it acts in (`as('scheduler')`).
 */
export class DemoApi {
  constructor(
    private readonly baseUrl: string,
    private readonly tokenOf: (role: Role) => string,
    private readonly role: Role = 'marketing',
  ) {}

  /** The same client acting in another role. */
  as(role: Role): DemoApi {
    return new DemoApi(this.baseUrl, this.tokenOf, role);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async get(path: string): Promise<any> {
    const res = await fetch(`${this.baseUrl}${path}`, { headers: this.headers() });
    if (!res.ok) throw new Error(`GET ${path} → ${res.status}: ${await res.text()}`);
    return res.json();
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async put(path: string, body: unknown): Promise<any> {
    const res = await fetch(`${this.baseUrl}${path}`, { method: 'PUT', headers: this.headers({ 'content-type': 'application/json' }), body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`PUT ${path} → ${res.status}: ${await res.text()}`);
    return res.json();
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async post(path: string, body: unknown, headers: Record<string, string> = {}, ok = [200, 201]): Promise<any> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method: 'POST',
      headers: this.headers({ 'content-type': 'application/json', ...headers }),
      body: JSON.stringify(body),
    });
    if (!ok.includes(res.status)) throw new Error(`POST ${path} → ${res.status}: ${await res.text()}`);
    return res.json();
  }

  /** A text answer (a CSV file). */
  async getText(path: string): Promise<string> {
    const res = await fetch(`${this.baseUrl}${path}`, { headers: this.headers() });
    if (!res.ok) throw new Error(`GET ${path} → ${res.status}: ${await res.text()}`);
    return res.text();
  }

  /** A CSV file as the body (the staff file, the sales file, billing's list). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async postCsv(path: string, csv: string, ok = [200, 201]): Promise<any> {
    const res = await fetch(`${this.baseUrl}${path}`, { method: 'POST', headers: this.headers({ 'content-type': 'text/csv' }), body: csv });
    if (!ok.includes(res.status)) throw new Error(`POST ${path} → ${res.status}: ${await res.text()}`);
    return { status: res.status, ...((await res.json()) as object) };
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { authorization: `Bearer ${this.tokenOf(this.role)}`, ...extra };
  }
}
