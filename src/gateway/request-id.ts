import { randomBytes } from 'node:crypto';

/** Unique per process (random), then a counter: unique across instances, no entropy per request. */
const PREFIX = `req_${randomBytes(8).toString('hex')}`;
let counter = 0;

const VALID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The request id: the caller's `x-request-id` when it is a sane token (so ids join up across
 * proxies), else a new `req_<24 hex>`: a random per-process prefix and a counter (unique across
 * instances, no random bytes drawn per request). Echoed in the response and used in every log line.
 */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  if (value && VALID.test(value)) return value;
  counter = (counter + 1) % 0x1_0000_0000;
  return PREFIX + counter.toString(16).padStart(8, '0');
}
