const SECRET_KEY = /(^|_)(api_?key|key|token|secret|password|passphrase|credentials?)$/i;

function maskUrl(value: string): string {
  // postgres://user:pass@host → postgres://user:***@host
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]+):[^@\s]+@/i, '$1:***@');
}

/**
 * A copy of a config value with secrets replaced by `***`: values under keys that name a secret
 * (`api_key`, `admin_token`, …, but not `api_key_env`, which names a variable), every value of a
 * `headers` map, and passwords inside URLs.
 *
 * @example
 * maskSecrets({ api_key: 'sk-123', api_key_env: 'KEY' }); // { api_key: '***', api_key_env: 'KEY' }
 */
export function maskSecrets(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((item) => maskSecrets(item, key));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    // Any header may carry a credential (`Authorization`, `x-honeycomb-team`): mask them all.
    const allSecret = /(^|_)headers$/i.test(key);
    for (const [k, v] of Object.entries(value))
      out[k] = allSecret && typeof v === 'string' && v !== '' ? '***' : maskSecrets(v, k);
    return out;
  }
  if (typeof value === 'string') {
    if (SECRET_KEY.test(key) && value !== '') return '***';
    return maskUrl(value);
  }
  return value;
}
