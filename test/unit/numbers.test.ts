import { describe, expect, it } from 'vitest';
import { checkNumberRecords, headerProblem, leadStopRef, normalizeMsisdn, stopPutsOnRegister } from '../../domain/compliance/numbers';

describe('numbers of the do-not-call register and the suppression lists', () => {
  it('keeps a mobile number in its stored form, taking off spaces, dashes and a +86 or 0086 prefix', () => {
    expect(normalizeMsisdn('13800138000')).toEqual({ msisdn: '13800138000' });
    expect(normalizeMsisdn(' +86 138-0013-8000 ')).toEqual({ msisdn: '13800138000' });
    expect(normalizeMsisdn('0086 13800138000')).toEqual({ msisdn: '13800138000' });
  });

  it('refuses what is not one, without quoting it (refusals are kept in the audit log)', () => {
    for (const bad of ['', '   ', '1380013800', '138001380001', '23800138000', '1380013800x']) {
      const n = normalizeMsisdn(bad);
      expect('problem' in n, bad).toBe(true);
      if ('problem' in n && bad.trim()) expect(n.problem).not.toContain(bad.trim());
    }
  });

  it('takes a header naming msisdn, and reason if it likes, nothing else', () => {
    expect(headerProblem(['msisdn'])).toBeUndefined();
    expect(headerProblem(['msisdn', 'reason'])).toBeUndefined();
    expect(headerProblem(['number'])).toMatch(/msisdn/);
    expect(headerProblem(['msisdn', 'name'])).toMatch(/unknown column 'name'/);
    expect(headerProblem(['msisdn', 'msisdn'])).toMatch(/twice/);
  });

  it('checks a file line by line: every bad line by its number, and nothing to load when one is bad', () => {
    const good = checkNumberRecords([
      { line: 2, fields: { msisdn: '13800138000', reason: 'asked' } },
      { line: 3, fields: { msisdn: '+86 13800138001' } },
      { line: 4, fields: { msisdn: '13800138000', reason: 'again' } },
    ]);
    expect(good).toEqual({ problems: [], rows: [{ msisdn: '13800138000', reason: 'asked' }, { msisdn: '13800138001', reason: null }] });
    const bad = checkNumberRecords([
      { line: 2, fields: { msisdn: '13800138000' } },
      { line: 3, fields: { msisdn: '12345' } },
      { line: 5, fields: { msisdn: '13800138002', reason: 'x'.repeat(501) } },
    ]);
    expect(bad.rows).toEqual([]);
    expect(bad.problems.map((p) => p.line)).toEqual([3, 5]);
    expect(bad.problems[0]!.message).toMatch(/^msisdn:/);
    expect(bad.problems[1]!.message).toMatch(/^reason:/);
    expect(checkNumberRecords([]).problems).toEqual([{ line: 2, message: expect.stringMatching(/no numbers/) }]);
  });

  it('a stop coded do-not-call, and only that, puts the number on the register, referring to the lead', () => {
    expect(stopPutsOnRegister('do-not-call')).toBe(true);
    expect(stopPutsOnRegister('complaint')).toBe(false);
    expect(stopPutsOnRegister(undefined)).toBe(false);
    expect(leadStopRef('c-1', 42)).toBe('campaign/c-1/lead/42');
  });
});
