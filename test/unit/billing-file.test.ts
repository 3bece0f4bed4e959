import { describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { GB18030_BOM, UTF8_BOM, copyFailureLine, describeRefusal, detectEncoding } from '../../domain/sales-points/billing-file';

describe("billing file's encoding", () => {
  const ascii = Buffer.from('msisdn,service_code\n');
  it('is the BOM\'s, whatever the sender said', () => {
    expect(detectEncoding(Buffer.concat([UTF8_BOM, ascii]), 'gb18030')).toEqual({ encoding: 'utf-8', bomBytes: 3 });
    expect(detectEncoding(Buffer.concat([GB18030_BOM, ascii]), 'utf-8')).toEqual({ encoding: 'gb18030', bomBytes: 4 });
  });
  it("else the sender's, else UTF-8 when the bytes read as UTF-8 (a character cut at the end too), else GB18030", () => {
    expect(detectEncoding(ascii, 'gb18030')).toEqual({ encoding: 'gb18030', bomBytes: 0 });
    expect(detectEncoding(ascii)).toEqual({ encoding: 'utf-8', bomBytes: 0 });
    const utf8 = Buffer.from('13800000001,视频包');
    expect(detectEncoding(utf8.subarray(0, utf8.length - 1))).toEqual({ encoding: 'utf-8', bomBytes: 0 });
    expect(detectEncoding(iconv.encode('13800000001,视频包', 'gb18030'))).toEqual({ encoding: 'gb18030', bomBytes: 0 });
    expect(detectEncoding(Buffer.alloc(0))).toEqual({ encoding: 'utf-8', bomBytes: 0 });
  });
});

describe("COPY's refusal as a line of the file", () => {
  it('takes the line from the context and leaves the line\'s text out', () => {
    expect(copyFailureLine({ code: '22P04', message: 'extra data after last expected column', where: 'COPY billing_staging, line 4: "13800000004,a,2026-01-01,,1,x"' }))
      .toEqual({ line: 4, message: expect.stringMatching(/^too many fields/) });
    expect(copyFailureLine({ code: '22P04', message: 'missing data for column "used"', where: 'COPY billing_staging, line 12: "1380…"' }))
      .toEqual({ line: 12, field: 'used', message: expect.stringMatching(/^too few fields: no used/) });
    expect(copyFailureLine({ code: '22021', message: 'invalid byte sequence for encoding "UTF8": 0xff', where: 'COPY billing_staging, line 3' }))
      .toEqual({ line: 3, message: 'invalid byte sequence for encoding "UTF8": 0xff' });
  });
  it("names the header's field without what was there (a file without a header has a number there)", () => {
    const got = copyFailureLine({ code: '22P04', message: 'column name mismatch in header line field 1: got "13800000001", expected "msisdn"', where: 'COPY billing_staging, line 1: "13800000001,…"' });
    expect(got).toEqual({ line: 1, field: 'msisdn', message: expect.stringContaining('must be msisdn') });
    expect(JSON.stringify(got)).not.toContain('13800000001');
    expect(copyFailureLine({ code: '22P04', message: 'wrong number of fields in header line: got 4, expected 5', where: 'COPY billing_staging, line 1: "a,b,c,d"' }))
      .toEqual({ line: 1, message: expect.stringContaining('the header is exactly msisdn,service_code,activated_on,cancelled_on,used') });
  });
  it('is not one for an error that is not about the file (a fault, retried)', () => {
    expect(copyFailureLine({ code: '57014', message: 'canceling statement due to statement timeout' })).toBeUndefined();
    expect(copyFailureLine({ message: 'socket hang up' })).toBeUndefined();
  });
  it('is described by the first lines', () => {
    const errors = Array.from({ length: 7 }, (_, i) => ({ line: i + 2, field: 'used', message: 'true, false, 1 or 0' }));
    expect(describeRefusal(errors)).toBe('the billing file was refused, nothing of it was used: line 2 used: true, false, 1 or 0; line 3 used: true, false, 1 or 0; '
      + 'line 4 used: true, false, 1 or 0; line 5 used: true, false, 1 or 0; line 6 used: true, false, 1 or 0; … (7 listed)');
  });
});
