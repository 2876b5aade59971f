import { z } from 'zod';
import { parseBytes, parseDuration } from './units.js';

/** A number-or-text field read by `parse`; anything it rejects is reported with `expected`. */
function parsedField(parse: (value: string | number) => number | undefined, expected: string) {
  return z.unknown().transform((value, ctx) => {
    const parsed = typeof value === 'number' || typeof value === 'string' ? parse(value) : undefined;
    if (parsed === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected ${expected}` });
      return z.NEVER;
    }
    return parsed;
  });
}

/** A duration field: milliseconds, or `90s`-style text. Parsed to milliseconds. */
export const duration = parsedField(parseDuration, 'a duration such as 500ms, 90s, 5m, 1h');

/** A byte-size field: bytes, or `10mb`-style text. Parsed to bytes. */
export const byteSize = parsedField(parseBytes, 'a size such as 512kb or 10mb');

const listen = z
  .string()
  .regex(/^[^\s:]*:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/, 'expected HOST:PORT, e.g. 127.0.0.1:39001');

/** A JSONL file the gateway appends to (trace, audit), rotated by size: `file`, `file.1` … */
function observeFile(path: string, maxBytes: number) {
  return z.strictObject({
    /** `~` is expanded; a relative path is under NODEX_HOME. */
    path: z.string().min(1).default(path),
    /** Rotate once the file would grow past this size. */
    max_bytes: byteSize.default(maxBytes),
    /** Files kept at most, the live one included (`file.1` is the newest rotated one). */
    max_files: z.number().int().min(1).max(100).default(5),
  });
}

/** `server.trace`: every phase of every request, secrets redacted (off unless the section is set). */
export const TraceSchema = observeFile('trace.jsonl', 25 * 1024 * 1024).extend({
  /** A body (or event) larger than this once serialized is cut, with a marker. */
  max_body: byteSize.default(256 * 1024),
});

/** `server.audit`: one line per request on every route (off unless the section is set). */
export const AuditSchema = observeFile('audit.jsonl', 10 * 1024 * 1024);

/** `telemetry`: OpenTelemetry spans over OTLP/HTTP (off unless `otlp_endpoint` is set). */
export const TelemetrySchema = z.strictObject({
  /** `http://collector:4318` (`/v1/traces` is added) or the full traces URL. */
  otlp_endpoint: z.url({ protocol: /^https?$/ }).optional(),
  service_name: z.string().min(1).default('nodex'),
  /** Extra headers on every export (a collector's auth token, say). */
  headers: z.record(z.string(), z.string()).default({}),
});

export const ServerSchema = z.strictObject({
  listen: listen.default('127.0.0.1:39001'),
  /** The admin API's unix socket (0600); default `NODEX_HOME/admin.sock`; `""` turns it off. */
  admin_socket: z.string().optional(),
  /** Also serve the admin API on TCP (`HOST:PORT`), behind the token in `admin_token_env`. */
  admin_listen: listen.optional(),
  /** The variable holding the admin token for `admin_listen` (required when it is set). */
  admin_token_env: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
    .default('NODEX_ADMIN_TOKEN'),
  body_limit: byteSize.default(10 * 1024 * 1024),
  /** Static gateway keys (until the key store); clients send one as Bearer, x-api-key or api-key. */
  api_keys: z.array(z.string().min(8)).default([]),
  /** Accept any key, or none (local development only; loudly logged). */
  allow_any_key: z.boolean().default(false),
  /** A `: keep-alive` comment after this much silence on a stream. */
  keepalive_interval: duration.default(15_000),
  /** On SIGTERM/SIGINT, in-flight requests get this long to finish before they are cut. */
  shutdown_grace: duration.default(10_000),
  /** Retries of an upstream call before the first byte reaches the client. */
  max_retries: z.number().int().min(0).max(10).default(2),
  /** Per-session caches for Responses clients (recent tool calls, instructions). */
  session_ttl: duration.default(6 * 3_600_000),
  /** Request traces (JSONL): off unless set. */
  trace: TraceSchema.optional(),
  /** The audit log (JSONL): off unless set. */
  audit: AuditSchema.optional(),
});

export const ExecSchema = z.strictObject({
  model: z.string().min(1).default('gpt-5.5'),
  instructions: z.string().default('You are a helpful assistant.'),
  mock_mode: z.string().default('echo'),
  timeout: duration.default(90_000),
});

export const RoutingSchema = z.strictObject({
  aliases: z.record(z.string(), z.string()).default({}),
  patterns: z.array(z.strictObject({ pattern: z.string().min(1), provider: z.string().min(1) })).default([]),
});

export const StateSchema = z.strictObject({
  driver: z.enum(['sqlite', 'postgres']).default('sqlite'),
  path: z.string().optional(),
  url: z.string().optional(),
});

export const LimitsSchema = z.strictObject({
  driver: z.enum(['local', 'redis']).default('local'),
  url: z.string().optional(),
  /**
   * Output tokens reserved against tpm and quotas for a request that sets no max output (the
   * reservation is settled with the real usage afterwards).
   */
  reserve_output_tokens: z.number().int().positive().default(4096),
});

/**
 * What a gateway key may do. Every field is optional: absent means unlimited. Stored as JSON with
 * each key (`quota.window` in milliseconds) and used as `keys.default_policy` for keys without one.
 */
export const KeyPolicySchema = z.strictObject({
  /** Requests per minute (a token bucket: bursts up to rpm, refilled continuously). */
  rpm: z.number().int().positive().optional(),
  /** Tokens per minute: input estimate + max output reserved up front, settled with real usage. */
  tpm: z.number().int().positive().optional(),
  /** At most `tokens` per `window` (e.g. 1000000 per 30d), counted from the window's start. */
  quota: z.strictObject({ tokens: z.number().int().positive(), window: duration }).optional(),
  /** Model patterns the key may use (`gpt-*`, `claude-sonnet-*`); absent = every model. */
  models: z.array(z.string().min(1)).optional(),
});

export type KeyPolicy = z.output<typeof KeyPolicySchema>;

export const KeysSchema = z.strictObject({
  /** The policy of keys that have none of their own, and of `server.api_keys`. */
  default_policy: KeyPolicySchema.default({}),
});

export const UsageSchema = z.strictObject({
  /** Keep one row per request (besides the hourly totals), for `usage show --requests`. */
  history: z.boolean().default(false),
  /** How long per-request rows are kept. */
  retention: duration.default(30 * 86_400_000),
});

export const PaymentsSchema = z.strictObject({
  /** Off by default: keys without balance then get 402 without a challenge. */
  enabled: z.boolean().default(false),
  /** The token-meter service (`http://…` or `unix:///path.sock`) that issues and redeems L402 challenges. */
  token_meter_url: z.string().optional(),
  /** How long a call to the token-meter may take. */
  timeout: duration.default(5000),
});

export const LogSchema = z.strictObject({
  level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
});

/**
 * The config file's shape. Provider sections are validated by each provider's own schema
 * (providers/registry.ts), so a provider's options live beside its code.
 */
export const ConfigSchema = z.strictObject({
  server: ServerSchema.default(ServerSchema.parse({})),
  exec: ExecSchema.default(ExecSchema.parse({})),
  providers: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
  routing: RoutingSchema.default(RoutingSchema.parse({})),
  state: StateSchema.default(StateSchema.parse({})),
  limits: LimitsSchema.default(LimitsSchema.parse({})),
  keys: KeysSchema.default(KeysSchema.parse({})),
  usage: UsageSchema.default(UsageSchema.parse({})),
  payments: PaymentsSchema.default(PaymentsSchema.parse({})),
  log: LogSchema.default(LogSchema.parse({})),
  telemetry: TelemetrySchema.default(TelemetrySchema.parse({})),
});

export type NodexConfig = z.output<typeof ConfigSchema>;
