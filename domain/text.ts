import { z } from 'zod';

/** What String.prototype.trim() removes (ECMAScript's white space and line terminators), spelled out for any regex engine. */
const SPACE = '\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff';

/**
 * Text a person types (a name, a reason, an address): trimmed, `min` to `max` characters once
 * trimmed, and never a NUL (Postgres cannot store one in text). zod trims after it checks the
 * length, and the pattern says what the trim means (so many characters that are not space), so
 * the JSON schema of the OpenAPI document refuses exactly what the API refuses: "   " has a length
 * of 3 but no name in it.
 */
export function text(min: number, max: number) {
  if (min < 1 || max < min) throw new Error(`text(${min}, ${max}): 1 <= min <= max`);
  const edge = `[^${SPACE}\\u0000]`;
  const inner = min === 1 ? `${edge}(?:[^\\u0000]*${edge})?` : `${edge}[^\\u0000]{${min - 2},}${edge}`;
  const pattern = new RegExp(`^[${SPACE}]*${inner}[${SPACE}]*$`);
  const what = min === 1 ? 'some text' : `at least ${min} characters`;
  return z.string().max(max).regex(pattern, `${what} (not only spaces), without NUL characters`).trim();
}

/**
 * An id or code a system sends as it has it (an agent's id, an event's id, a filter's value):
 * `min` to `max` characters, untrimmed, and never a NUL, which Postgres cannot store or compare in
 * text (a 500 otherwise).
 */
export const noNul = (min: number, max: number) =>
  z.string().min(min).max(max).regex(/^[^\u0000]*$/, 'without NUL characters');
