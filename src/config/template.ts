/**
 * The commented config file `nodex config init` writes. Every uncommented value is a default, so
 * the file validates as written (a test checks it); docs/config.md explains each key.
 */
export const CONFIG_TEMPLATE = `# nodex configuration (docs/config.md has every key).
# Precedence: built-in defaults < this file < NODEX_* environment variables < command-line flags.

server:
  listen: 127.0.0.1:39001      # nodex serve: HOST:PORT (port 0 picks a free port)
  body_limit: 10mb             # largest request body accepted
  # api_keys: []               # static keys (8+ characters); prefer \`nodex keys add\`
  # allow_any_key: false       # development only: any key, or none, is accepted
  # admin_socket: ~/.nodex/admin.sock   # the admin API (0600); "" turns it off
  # admin_listen: 127.0.0.1:39002       # admin API on TCP too, behind $NODEX_ADMIN_TOKEN
  # trace: { path: trace.jsonl, max_bytes: 25mb, max_files: 5, max_body: 256kb }  # every request phase (nodex replay)
  # audit: { path: audit.jsonl, max_bytes: 10mb, max_files: 5 }                    # one line per request (nodex tail)

exec:
  model: gpt-5.5               # nodex exec default model (an alias works too)
  instructions: You are a helpful assistant.
  mock_mode: echo              # echo | text | tool-call | tool-loop (with --mock)
  timeout: 90s

providers:
  # The built-in mock provider needs no section; pacing options help benchmarks.
  mock:
    mode: echo
    # first_event_delay_ms: 0
    # delta_interval_ms: 0
    # deltas: 16               # text mode: number of text deltas
    # delta_size: 8            # characters per delta

routing:
  aliases: {}                  # e.g. { fast: mock-text }
  patterns: []                 # e.g. [{ pattern: "qwen-*", provider: my-vllm }]

state:
  driver: sqlite               # sqlite (embedded, NODEX_HOME/nodex.db) | postgres (with url)

limits:
  driver: local                # local | redis (with url)
  reserve_output_tokens: 4096  # reserved against tpm/quota when a request sets no max output

keys:
  default_policy: {}           # e.g. { rpm: 60, tpm: 200000, quota: { tokens: 1000000, window: 30d }, models: ["gpt-*"] }

usage:
  history: false               # keep one row per request (usage show lists them)
  retention: 30d               # how long those rows are kept

payments:
  enabled: false               # L402 challenges from a token-meter for keys without balance
  # token_meter_url: http://127.0.0.1:8090

log:
  level: info                  # trace | debug | info | warn | error | fatal | silent

telemetry:                     # OpenTelemetry spans over OTLP/HTTP; off without an endpoint
  # otlp_endpoint: http://127.0.0.1:4318
  service_name: nodex
  # headers: {}                # e.g. a collector's auth header
`;
