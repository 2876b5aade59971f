/**
 * Why a response ended, in the one vocabulary every client protocol maps from. The upstream's own
 * word travels beside it as `finish_reason_raw`, so nothing is lost (DESIGN.md §1).
 */
export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'error';

export const FINISH_REASONS: readonly FinishReason[] = [
  'stop',
  'length',
  'tool_calls',
  'content_filter',
  'error',
];
