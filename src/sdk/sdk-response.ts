import type { FinishReason } from '../core/finish-reason.js';
import type { QuotaSnapshot } from '../core/quota.js';
import type { Warning } from '../core/warnings.js';
import type { ResponsesResponse } from '../protocols/openai-responses/encode-response.js';

/**
 * What `responses.create` returns without `stream`: the OpenAI Response object (`output`,
 * `output_text`, `usage`, …) plus what nodex knows besides.
 */
export interface SdkResponse<Parsed = unknown> extends ResponsesResponse {
  /** The answer parsed by the requested `text.format` (validated when it came from a zod schema). */
  readonly output_parsed: Parsed | null;
  readonly finish_reason: FinishReason;
  /** The provider that served it (`codex`, `mock`, …). */
  readonly provider: string;
  readonly request_id: string;
  /** Everything a codec dropped or adjusted (`validationMode: 'warn'`). */
  readonly warnings: readonly Warning[];
  /** The subscription's usage windows, when the upstream reported them. */
  readonly quota: QuotaSnapshot | null;
}
