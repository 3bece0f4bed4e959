import { describe, expect, it } from 'vitest';
import { DEFAULT_LIST_CEILINGS, listLimitRefusal, parseListCeilings } from '../../domain/campaign/list-limit';

describe('how many leads a campaign may list', () => {
  it('lets each role list up to its ceiling, the whole segment only as admin', () => {
    expect(listLimitRefusal({ maxLeads: 200_000 }, 'marketing', DEFAULT_LIST_CEILINGS)).toBeUndefined();
    expect(listLimitRefusal({ maxLeads: 200_001 }, 'marketing', DEFAULT_LIST_CEILINGS)).toMatchObject({ status: 422, path: 'body.segment.maxLeads' });
    expect(listLimitRefusal({ everyone: true }, 'marketing', DEFAULT_LIST_CEILINGS)).toMatchObject({ status: 403, path: 'body.segment.everyone' });
    expect(listLimitRefusal({ everyone: true }, 'admin', DEFAULT_LIST_CEILINGS)).toBeUndefined();
    expect(listLimitRefusal({ maxLeads: 1 }, 'scheduler', DEFAULT_LIST_CEILINGS)).toMatchObject({ status: 422, message: /at most 0/ });
  });

  it('reads its ceilings from role=number pairs, and says what is wrong with others', () => {
    expect(parseListCeilings('marketing=10, admin=20')).toEqual({ marketing: 10, admin: 20 });
    expect(parseListCeilings('marketing=lots')).toMatch(/not role=number/);
    expect(parseListCeilings('boss=5')).toMatch(/none of the roles/);
  });
});
