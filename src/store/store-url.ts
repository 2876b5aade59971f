import { NodexError } from '../core/errors.js';

/**
 * A database or cache URL with its password (in the authority or `?password=`) replaced by `***`,
 * for errors and logs.
 *
 * @example
 * maskUrlPassword('postgres://nodex:s3cret@db:5432/nodex'); // 'postgres://nodex:***@db:5432/nodex'
 */
export function maskUrlPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    if (parsed.searchParams.has('password')) parsed.searchParams.set('password', '***');
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:/@\s]*):[^@\s]*@/, '//$1:***@');
  }
}

/**
 * Throws `config_invalid` unless `url` parses with one of `protocols` (`['redis:', 'rediss:']`);
 * the message names the config key and an example, the URL's password masked.
 *
 * @example
 * checkUrlProtocol(url, ['postgres:', 'postgresql:'], 'state.url must be a postgres:// URL');
 */
export function checkUrlProtocol(url: string, protocols: readonly string[], message: string): void {
  let protocol = '';
  try {
    protocol = new URL(url).protocol;
  } catch {
    // reported below
  }
  if (!protocols.includes(protocol))
    throw new NodexError('config_invalid', `${message}, got ${maskUrlPassword(url)}`);
}
