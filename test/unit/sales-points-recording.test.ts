import { describe, expect, it } from 'vitest';
import { checkStaffRecords, staffHeaderProblem, type OrgUnit } from '../../domain/sales-points/organisation';
import { checkSale, checkSaleRecords, defaultSaleChannel, isSaleProblem, salesHeaderProblem } from '../../domain/sales-points/entries';

const units = new Map<string, OrgUnit>([
  ['d1', { code: 'd1', kind: 'department', parent: null, channel: null }],
  ['a1', { code: 'a1', kind: 'area', parent: 'd1', channel: null }],
  ['o1', { code: 'o1', kind: 'outlet', parent: 'a1', channel: 'own' }],
]);
const rec = (line: number, fields: Record<string, string>) => ({ line, fields });
const staffLine = (line: number, over: Record<string, string> = {}) =>
  rec(line, { staff_id: `S${line}`, name: `N${line}`, outlet: 'o1', area: 'a1', department: 'd1', channel: 'own', ...over });

describe('the staff file', () => {
  it('checks the header', () => {
    expect(staffHeaderProblem(['staff_id', 'name', 'outlet', 'area', 'department', 'channel', 'bank_account_ref'])).toBeUndefined();
    expect(staffHeaderProblem(['staff_id', 'name'])).toMatch(/names no outlet, area, department, channel/);
    expect(staffHeaderProblem(['staff_id', 'name', 'outlet', 'area', 'department', 'channel', 'shoe_size'])).toMatch(/unknown columns shoe_size/);
  });

  it('takes lines in the organisation, and brings new units top down, once', () => {
    const r = checkStaffRecords([
      staffLine(2), staffLine(3, { outlet: 'o2', area: 'a2', department: 'd2', channel: 'partner', bank_account_ref: 'B-1', active: 'false' }),
      staffLine(4, { outlet: 'o2', area: 'a2', department: 'd2', channel: 'partner' }),
    ], units);
    expect(r.problems).toEqual([]);
    expect(r.newUnits.map((u) => `${u.kind}:${u.code}<${u.parent ?? ''}`)).toEqual(['department:d2<', 'area:a2<d2', 'outlet:o2<a2']);
    expect(r.rows[1]).toEqual({ id: 'S3', name: 'N3', outlet: 'o2', bankAccountRef: 'B-1', active: false });
    expect(r.rows[0]!.active).toBe(true);
  });

  it('names every bad line by its number and field, and then gives no rows', () => {
    const r = checkStaffRecords([
      staffLine(2), staffLine(3, { staff_id: 'S2' }), staffLine(4, { area: 'a9' }), staffLine(5, { channel: 'partner' }),
      staffLine(6, { name: '' }), staffLine(7, { outlet: 'O 1' }), staffLine(8, { outlet: 'a1' }), staffLine(9, { active: 'maybe' }),
      staffLine(10, { outlet: 'o5', area: 'a5', department: 'd1' }), staffLine(11, { outlet: 'o5', area: 'a5', department: 'd9' }),
    ], units);
    expect(r.rows).toEqual([]);
    expect(r.problems).toEqual([
      { line: 3, message: 'staff_id: S2 is on line 2 already' },
      { line: 4, message: expect.stringMatching(/^outlet: o1 is in area a1, not a9/) },
      { line: 5, message: 'channel: outlet o1 is own, not partner' },
      { line: 6, message: 'name: 1 to 200 characters' },
      { line: 7, message: expect.stringMatching(/^outlet: lower-case/) },
      { line: 8, message: 'outlet: a1 is an area, not an outlet' },
      { line: 9, message: expect.stringMatching(/^active:/) },
      { line: 11, message: expect.stringMatching(/^area: a5 is in department d1, not d9/) },
    ]);
    expect(checkStaffRecords([], units).problems).toEqual([{ line: 2, message: expect.stringMatching(/no staff/) }]);
  });
});

const now = new Date('2026-11-20T04:00:00Z');
const service = { code: 'vas-music', retiredOn: '2026-12-01', terms: [{ effectiveFrom: '2026-06-01' }] };
const ctx = { staff: { id: 'S1', active: true }, service, now, timeZone: 'Asia/Shanghai' };
const sale = { serviceCode: 'vas-music', msisdn: '+86 138-0013-8000', soldAt: new Date('2026-10-31T17:00:00Z'), staffId: 'S1' };

describe('a sale', () => {
  it('counts in its month in the operator\'s time zone, with the number in its stored form', () => {
    const s = checkSale(sale, ctx);
    expect(isSaleProblem(s)).toBe(false);
    expect(s).toMatchObject({ msisdn: '13800138000', month: '2026-11', day: '2026-11-01' });
    expect(checkSale(sale, { ...ctx, timeZone: 'UTC' })).toMatchObject({ month: '2026-10' });
  });

  it('names the field at fault', () => {
    expect(checkSale(sale, { ...ctx, staff: undefined })).toEqual({ field: 'staffId', message: 'no staff member S1' });
    expect(checkSale(sale, { ...ctx, staff: { id: 'S1', active: false } })).toMatchObject({ field: 'staffId' });
    expect(checkSale({ ...sale, msisdn: '12345' }, ctx)).toMatchObject({ field: 'msisdn' });
    expect(checkSale({ ...sale, soldAt: new Date('2026-11-20T05:00:00Z') }, ctx)).toMatchObject({ field: 'soldAt', message: /future/ });
    expect(checkSale({ ...sale, soldAt: new Date('2026-11-20T04:04:00Z') }, ctx)).toMatchObject({ month: '2026-11' }); // a clock a little ahead
    expect(checkSale(sale, { ...ctx, service: undefined })).toMatchObject({ field: 'serviceCode', message: /no service/ });
    expect(checkSale({ ...sale, soldAt: new Date('2026-05-31T00:00:00Z') }, ctx)).toMatchObject({ field: 'soldAt', message: /no terms in force on 2026-05-31/ });
    expect(checkSale(sale, { ...ctx, service: { ...service, retiredOn: '2026-11-01' }, now: new Date('2026-12-20T00:00:00Z') }))
      .toMatchObject({ field: 'serviceCode', message: /retired from 2026-11-01/ });
  });

  it('is recorded with the caller\'s channel unless named', () => {
    expect(defaultSaleChannel('agent')).toBe('hotline');
    expect(defaultSaleChannel('staff')).toBe('shop');
  });
});

describe('the sales file', () => {
  const fileCtx = {
    staff: new Map([['S1', { id: 'S1', active: true }], ['S2', { id: 'S2', active: true }]]),
    services: new Map([['vas-music', service]]), now, timeZone: 'Asia/Shanghai', caller: { sub: 'admin-1', role: 'admin' },
  };
  const line = (n: number, over: Record<string, string> = {}) =>
    rec(n, { staff_id: 'S1', service_code: 'vas-music', msisdn: `1380013800${n}`, sold_at: '2026-11-03T10:00:00+08:00', ...over });

  it('checks the header', () => {
    expect(salesHeaderProblem(['staff_id', 'service_code', 'msisdn'])).toBeUndefined();
    expect(salesHeaderProblem(['service_code', 'msisdn'])).toMatch(/names no staff_id/);
  });

  it('refuses a second line of a number, service and month (the first counts), not the file', () => {
    const r = checkSaleRecords([line(2), line(3, { msisdn: '13800138002', staff_id: 'S2' }), line(4, { sale_channel: 'field', customer_id: '7' })], fileCtx);
    expect(r.problems).toEqual([]);
    expect(r.lines.map((l) => l.line)).toEqual([2, 4]);
    expect(r.lines[1]).toMatchObject({ saleChannel: 'field', customerId: 7, month: '2026-11' });
    expect(r.refused).toEqual([{ line: 3, reason: 'duplicate-in-file', message: expect.stringMatching(/as line 2/) }]);
  });

  it('refuses the whole file for a bad line, naming each', () => {
    const r = checkSaleRecords([
      line(2), line(3, { staff_id: 'S9' }), line(4, { sold_at: 'yesterday' }), line(5, { sale_channel: 'pigeon' }),
      line(6, { customer_id: 'x' }), line(7, { service_code: 'nope' }), line(8, { msisdn: '1' }),
    ], fileCtx);
    expect(r.lines).toEqual([]);
    expect(r.problems.map((p) => `${p.line} ${p.message.split(':')[0]}`)).toEqual(['3 staff_id', '4 sold_at', '5 sale_channel', '6 customer_id', '7 service_code', '8 msisdn']);
  });

  it('lets staff record their own sales only', () => {
    const own = { ...fileCtx, caller: { sub: 'S1', role: 'staff' } };
    const r = checkSaleRecords([line(2, { staff_id: '' }), line(3, { staff_id: 'S2' })], own);
    expect(r.problems).toEqual([{ line: 3, message: 'staff_id: S1 records their own sales only' }]);
    expect(checkSaleRecords([line(2, { staff_id: '', sale_channel: '' })], own).lines[0]).toMatchObject({ staffId: 'S1', saleChannel: 'shop' });
  });
});
