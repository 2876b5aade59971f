import { randomBytes } from 'node:crypto';

const VALID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The request id: the caller's `x-request-id` when it is a sane token (so ids join up across
 * proxies), else a new `req_<hex>`. Echoed in the response and used in every log line.
 */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && VALID.test(value) ? value : `req_${randomBytes(12).toString('hex')}`;
}
