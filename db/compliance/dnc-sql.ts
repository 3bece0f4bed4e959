/**
 * The do-not-call register (dnc_numbers, db/migrations/014_dnc_register.sql) keeps every period a
 * number was on it: an entry is in force until it is removed (removed_at). Whatever decides who
 * may be called reads only entries in force, through this fragment; the audit reads the periods.
 */
export const onRegister = (msisdn: string) =>
  `EXISTS (SELECT 1 FROM dnc_numbers d WHERE d.msisdn = ${msisdn} AND d.removed_at IS NULL)`;

/**
 * Adds numbers not on the register now (an entry in force stays as it is: a repeat changes
 * nothing), from `staged` rows (msisdn, reason); $1 source, $2 source_ref, $3 added_by. Answers
 * the numbers it added.
 */
export const addToRegister = (staged: string) =>
  `INSERT INTO dnc_numbers (msisdn, reason, source, source_ref, added_by)
   SELECT s.msisdn, COALESCE(s.reason, 'customer request'), $1, $2, $3 FROM ${staged} s
   ON CONFLICT (msisdn) WHERE removed_at IS NULL DO NOTHING
   RETURNING msisdn`;

/**
 * Puts a lead's number on the register ($1 lead, $2 campaign, $3 reason, $4 source_ref, $5 who),
 * read from the lead's row: the number never leaves Postgres. Nothing if it is on already.
 */
export const ADD_LEAD_TO_REGISTER = `INSERT INTO dnc_numbers (msisdn, reason, source, source_ref, added_by)
   SELECT l.msisdn, $3, 'lead-stop', $4, $5 FROM leads l WHERE l.id = $1 AND l.campaign_id = $2
     AND l.msisdn NOT LIKE 'erased:%' -- an erased customer's: on the register by hash already, and flagged
   ON CONFLICT (msisdn) WHERE removed_at IS NULL DO NOTHING`;

/** Closes the entry in force of $1 (who $2, why $3): the entry stays, as evidence of its period. */
export const REMOVE_FROM_REGISTER = `UPDATE dnc_numbers SET removed_at = clock_timestamp(), removed_by = $2, removed_reason = $3
   WHERE msisdn = $1 AND removed_at IS NULL RETURNING *`;

export interface DncRow {
  id: string;
  msisdn: string;
  reason: string;
  source: string;
  source_ref: string | null;
  added_by: string | null;
  added_at: Date;
  removed_at: Date | null;
  removed_by: string | null;
  removed_reason: string | null;
}

/** A number (an SQL expression) hashed as the contact log and the register hash it (hashMsisdn). */
export const msisdnHash = (msisdn: string) => `left(encode(sha256(convert_to('msisdn:' || ${msisdn}, 'UTF8')), 'hex'), 32)`;

/**
 * At the moment of dialing: the customer `a` asked not to be called, or `number` has an entry in
 * force, found by its hash (dnc_numbers.msisdn_hash): an entry whose number an erasure replaced
 * still refuses it. A handful of numbers a batch, so hashing them costs nothing; the list pull
 * matches numbers as they are (onRegister), erased customers being left off it anyway.
 */
export const onDncAtDialing = (a: string, number: string) =>
  `(${a}.dnc OR EXISTS (SELECT 1 FROM dnc_numbers d WHERE d.msisdn_hash = ${msisdnHash(number)} AND d.removed_at IS NULL))`;
