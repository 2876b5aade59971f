import { describe, expect, it } from 'vitest';
import type { CanonicalRequest, FunctionCallItem } from '../core/request.js';
import { userText } from '../core/request.js';
import type { Warning } from '../core/warnings.js';
import { SessionCache } from './session-cache.js';

const call = (id: string, extra: Partial<FunctionCallItem> = {}): FunctionCallItem => ({
  type: 'function_call',
  call_id: id,
  name: 'shell',
  arguments: '{"cmd":"ls"}',
  ...extra,
});
const output = (id: string) => ({ type: 'function_call_output' as const, call_id: id, output: 'ok' });
const request = (input: CanonicalRequest['input'], instructions?: string): CanonicalRequest => ({
  model: 'm',
  input,
  ...(instructions ? { instructions } : {}),
});

function repair(cache: SessionCache, key: string, req: CanonicalRequest) {
  const warnings: Warning[] = [];
  return { result: cache.repair(key, req, (w) => warnings.push(w)), warnings };
}

describe('SessionCache', () => {
  it('keys sessions by API key and user, else a session header, else the client address', () => {
    expect(SessionCache.keyFor('k1', {}, 'alice', '1.2.3.4')).toBe('k1\u0000alice');
    expect(SessionCache.keyFor('k1', { session_id: 's-9' }, undefined, '1.2.3.4')).toBe('k1\u0000s-9');
    expect(SessionCache.keyFor('k1', { 'session-id': 's-8' }, undefined, '1.2.3.4')).toBe('k1\u0000s-8');
    expect(SessionCache.keyFor('k2', {}, undefined, '1.2.3.4')).toBe('k2\u00001.2.3.4');
  });

  it('reuses the last instructions when a request omits them, and takes new ones when given', () => {
    const cache = new SessionCache({ ttlMs: 60_000 });
    repair(cache, 's', request([userText('a')], 'Be brief.'));
    expect(repair(cache, 's', request([userText('b')])).result.instructions).toBe('Be brief.');
    repair(cache, 's', request([userText('c')], 'Be verbose.'));
    expect(repair(cache, 's', request([userText('d')])).result.instructions).toBe('Be verbose.');
    // Another session does not see them.
    expect(repair(cache, 'other', request([userText('e')])).result.instructions).toBeUndefined();
  });

  it('puts the remembered call before an orphaned output, and drops an unknown one with a warning', () => {
    const cache = new SessionCache({ ttlMs: 60_000 });
    cache.rememberCalls('s', [call('call_1')]);
    const { result, warnings } = repair(
      cache,
      's',
      request([userText('go'), output('call_1'), output('call_unknown')]),
    );
    expect(result.input).toEqual([userText('go'), call('call_1'), output('call_1')]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.details).toContain('call_unknown');
  });

  it('leaves a paired call and output alone, and restores provider data a resent call lost', () => {
    const cache = new SessionCache({ ttlMs: 60_000 });
    const signed = call('call_g', { provider_data: { gemini: { thought_signature: 'sig' } } });
    cache.rememberCalls('s', [signed]);
    const { result, warnings } = repair(cache, 's', request([call('call_g'), output('call_g')]));
    expect(result.input).toEqual([signed, output('call_g')]);
    expect(warnings).toEqual([]);
  });

  it('forgets a session after the TTL, and the least recently used beyond maxSessions', () => {
    let now = 0;
    const cache = new SessionCache({ ttlMs: 1000, maxSessions: 2, now: () => now });
    cache.rememberCalls('a', [call('c_a')]);
    now = 2000;
    expect(repair(cache, 'a', request([output('c_a')])).result.input).toEqual([]);

    cache.rememberCalls('a', [call('c_a')]);
    cache.rememberCalls('b', [call('c_b')]);
    cache.rememberCalls('c', [call('c_c')]);
    expect(cache.size).toBe(2);
    expect(repair(cache, 'a', request([output('c_a')])).warnings).toHaveLength(1);
    expect(repair(cache, 'c', request([output('c_c')])).warnings).toHaveLength(0);
  });

  it('keeps at most maxCallsPerSession calls, newest first', () => {
    const cache = new SessionCache({ ttlMs: 60_000, maxCallsPerSession: 2 });
    cache.rememberCalls('s', [call('c1'), call('c2'), call('c3')]);
    expect(repair(cache, 's', request([output('c1')])).warnings).toHaveLength(1);
    expect(repair(cache, 's', request([output('c3')])).warnings).toHaveLength(0);
  });
});
