import { describe, expect, it } from 'vitest';
import { actingRole, allowedRoles, isRead, principalOf } from '../../domain/access/roles';

describe('who may do what', () => {
  it('lets admin in everywhere and ops on every read', () => {
    expect(allowedRoles(['marketing'], 'POST')).toEqual(['marketing', 'admin']);
    expect(allowedRoles(['scheduler'], 'GET')).toEqual(['scheduler', 'ops', 'admin']);
    expect(isRead('head')).toBe(true);
    expect(isRead('PATCH')).toBe(false);
  });

  it('has a principal act in the widest role the route allows: an admin as admin', () => {
    expect(actingRole({ sub: 'a', roles: ['marketing', 'admin'] }, ['marketing', 'admin'])).toBe('admin');
    expect(actingRole({ sub: 'a', roles: ['agent', 'marketing'] }, ['marketing', 'admin'])).toBe('marketing');
    expect(actingRole({ sub: 'a', roles: ['agent'] }, ['marketing', 'admin'])).toBeUndefined();
  });

  it("reads a token's claims as a principal, or says why not", () => {
    expect(principalOf({ sub: 'alice', roles: ['marketing', 'pilot'] })).toEqual({ sub: 'alice', roles: ['marketing'] });
    expect(principalOf({ sub: 'alice', roles: 'admin' })).toMatch(/no roles/);
    expect(principalOf({ roles: ['admin'] })).toMatch(/no subject/);
    expect(principalOf({ sub: 'alice', roles: ['root'] })).toMatch(/none of/);
  });
});
