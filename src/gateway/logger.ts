import { type DestinationStream, type Logger, pino } from 'pino';

/**
 * Paths the logger itself censors (DESIGN.md §5: at the logger, not at each call site): every
 * header that can carry a credential, and token fields wherever they appear.
 */
export const REDACT_PATHS = [
  'authorization',
  'headers.authorization',
  'headers["x-api-key"]',
  'headers["api-key"]',
  'headers["x-provider-key"]',
  'headers.cookie',
  'headers["proxy-authorization"]',
  '*.authorization',
  '*["x-api-key"]',
  '*["x-provider-key"]',
  '*.api_key',
  '*.apiKey',
  '*.access_token',
  '*.refresh_token',
  '*.id_token',
  'key',
];

export type { Logger };

/**
 * The gateway's structured logger (pino), secrets redacted.
 *
 * @example
 * const log = createLogger({ level: 'info' });
 * log.info({ request_id: 'req_1', status: 200 }, 'request');
 */
export function createLogger(options: {
  readonly level: string;
  readonly destination?: DestinationStream;
}): Logger {
  return pino(
    {
      level: options.level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { service: 'nodex' },
    },
    options.destination ?? pino.destination({ dest: 2, sync: false }),
  );
}
