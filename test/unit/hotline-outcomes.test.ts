import { describe, expect, it } from 'vitest';
import { interactionAgent, interactionRefusal, orderChannelRefusal, takesOver } from '../../domain/hotline/access';
import { outcomeVerdict } from '../../domain/hotline/outcomes';

const onCall = { completion: ['call', 'app'] as const, channel: 'call' as const };

describe('outcomes of a recommendation', () => {
  it('takes presented, then one decision; the same again is a repeat', () => {
    expect(outcomeVerdict([], { outcome: 'presented' }, { ...onCall, completion: [...onCall.completion] })).toEqual({ kind: 'new' });
    const presented = [{ outcome: 'presented' as const, referredChannel: null }];
    expect(outcomeVerdict(presented, { outcome: 'presented' }, { ...onCall, completion: ['call'] })).toEqual({ kind: 'repeat' });
    expect(outcomeVerdict(presented, { outcome: 'refused' }, { ...onCall, completion: ['call'] })).toEqual({ kind: 'new' });
    const refused = [...presented, { outcome: 'refused' as const, referredChannel: null }];
    expect(outcomeVerdict(refused, { outcome: 'accepted' }, { ...onCall, completion: ['call'] })).toEqual({ kind: 'conflict', message: 'the recommendation was decided already: refused' });
    expect(outcomeVerdict(refused, { outcome: 'refused' }, { ...onCall, completion: ['call'] })).toEqual({ kind: 'repeat' });
  });

  it('accepts on the call only what the call can complete, and refers only to a channel that completes it', () => {
    expect(outcomeVerdict([], { outcome: 'accepted' }, { completion: ['app'], channel: 'call' })).toMatchObject({ kind: 'rule', path: 'body.outcome' });
    expect(outcomeVerdict([], { outcome: 'referred', referredChannel: 'app' }, { completion: ['app'], channel: 'call' })).toEqual({ kind: 'new' });
    expect(outcomeVerdict([], { outcome: 'referred', referredChannel: 'web' }, { completion: ['app'], channel: 'call' })).toMatchObject({ kind: 'rule', path: 'body.referredChannel' });
    expect(outcomeVerdict([], { outcome: 'referred', referredChannel: 'app' }, { completion: ['app'], channel: 'app' })).toMatchObject({ kind: 'rule', message: /in the app already/ });
    expect(outcomeVerdict([], { outcome: 'referred' }, { completion: ['app'], channel: 'call' })).toMatchObject({ kind: 'rule', path: 'body.referredChannel' });
    expect(outcomeVerdict([], { outcome: 'refused', referredChannel: 'app' }, { completion: ['app'], channel: 'call' })).toMatchObject({ kind: 'rule' });
    const referred = [{ outcome: 'referred' as const, referredChannel: 'app' }];
    expect(outcomeVerdict(referred, { outcome: 'referred', referredChannel: 'sms' }, { completion: ['app', 'sms'], channel: 'call' })).toMatchObject({ kind: 'conflict' });
  });
});

describe('who acts on an interaction', () => {
  it('lets an agent act on their own call or take over an unassigned one (never a visit), a self-service channel on self-service ones', () => {
    expect(interactionRefusal({ sub: 'a1', role: 'agent' }, { id: 1, channel: 'call', agentId: 'a1' })).toBeUndefined();
    expect(interactionRefusal({ sub: 'a1', role: 'agent' }, { id: 1, channel: 'call', agentId: null })).toBeUndefined();
    expect(takesOver({ sub: 'a1', role: 'agent' }, { channel: 'call', agentId: null })).toBe(true);
    expect(takesOver({ sub: 'a1', role: 'agent' }, { channel: 'call', agentId: 'a1' })).toBe(false);
    expect(takesOver({ sub: 'root', role: 'admin' }, { channel: 'call', agentId: null })).toBe(false);
    expect(interactionRefusal({ sub: 'a1', role: 'agent' }, { id: 1, channel: 'app', agentId: null })).toMatch(/calls only/);
    expect(interactionRefusal({ sub: 'a2', role: 'agent' }, { id: 1, channel: 'call', agentId: 'a1' })).toMatch(/agent a1's/);
    expect(interactionRefusal({ sub: 'app', role: 'self-service' }, { id: 1, channel: 'call', agentId: null })).toMatch(/is a call/);
    expect(interactionRefusal({ sub: 'app', role: 'self-service' }, { id: 1, channel: 'app', agentId: null })).toBeUndefined();
    expect(interactionRefusal({ sub: 'root', role: 'admin' }, { id: 1, channel: 'call', agentId: 'a1' })).toBeUndefined();
  });

  it('lets a self-service system name its own channel on an order, an admin any, no one else', () => {
    expect(orderChannelRefusal({ sub: 'app', role: 'self-service' }, 'app')).toBeUndefined();
    expect(orderChannelRefusal({ sub: 'app', role: 'self-service' }, 'web')).toMatch(/sells in app/);
    expect(orderChannelRefusal({ sub: 'app', role: 'self-service' }, undefined)).toMatch(/names the channel/);
    expect(orderChannelRefusal({ sub: 'self-service-channels', role: 'self-service' }, 'sms')).toBeUndefined();
    expect(orderChannelRefusal({ sub: 'a1', role: 'agent' }, 'app')).toMatch(/only a self-service system/);
    expect(orderChannelRefusal({ sub: 'a1', role: 'agent' }, undefined)).toBeUndefined();
    expect(orderChannelRefusal({ sub: 'root', role: 'admin' }, 'web')).toBeUndefined();
  });

  it('opens an agent\'s interaction for themselves; an admin may name the agent', () => {
    expect(interactionAgent({ sub: 'a1', role: 'agent' }, undefined)).toEqual({ agentId: 'a1' });
    expect(interactionAgent({ sub: 'a1', role: 'agent' }, 'a2')).toHaveProperty('refusal');
    expect(interactionAgent({ sub: 'root', role: 'admin' }, 'a2')).toEqual({ agentId: 'a2' });
    expect(interactionAgent({ sub: 'ivr', role: 'self-service' }, undefined)).toEqual({ agentId: null });
    expect(interactionAgent({ sub: 'ivr', role: 'self-service' }, 'a2')).toHaveProperty('refusal');
  });
});
