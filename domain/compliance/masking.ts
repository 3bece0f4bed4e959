/**
 * Phone numbers are masked wherever a person sees them (seed 004: data security). Only the
 * activities that talk to the dialer or the BSS read a full number, from Postgres.
 */
export function maskMsisdn(msisdn: string): string {
  if (msisdn.length < 7) return '*'.repeat(msisdn.length);
  return `${msisdn.slice(0, 3)}${'*'.repeat(msisdn.length - 7)}${msisdn.slice(-4)}`;
}
