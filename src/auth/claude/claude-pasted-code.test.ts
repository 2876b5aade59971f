import { describe, expect, it } from 'vitest';
import { claudeCodeFromParams, parsePastedClaudeCode } from './claude-pasted-code.js';

describe('parsePastedClaudeCode', () => {
  it('reads code#state, a bare code, and a redirect URL', () => {
    expect(parsePastedClaudeCode('  abc#xyz \n', 'xyz')).toEqual({ code: 'abc', state: 'xyz' });
    expect(parsePastedClaudeCode('"abc"', 'xyz')).toEqual({ code: 'abc', state: 'xyz' });
    expect(
      parsePastedClaudeCode('https://platform.claude.com/oauth/code/callback?code=abc&state=xyz', 'xyz'),
    ).toEqual({
      code: 'abc',
      state: 'xyz',
    });
  });

  it('refuses another login’s state, an error answer and an empty paste, never echoing the code', () => {
    expect(() => parsePastedClaudeCode('secret-code#other', 'xyz')).toThrow(/state mismatch/);
    expect(() => parsePastedClaudeCode('secret-code#other', 'xyz')).not.toThrow(/secret-code/);
    expect(() => parsePastedClaudeCode('', 'xyz')).toThrow(/nothing was pasted/);
    expect(() => claudeCodeFromParams({ error: 'access_denied', state: 'xyz' }, 'xyz')).toThrow(
      /access_denied \(sign-in was cancelled or refused\)/,
    );
    expect(() => claudeCodeFromParams({ code: 'c' }, 'xyz')).toThrow(/no state/);
  });
});
