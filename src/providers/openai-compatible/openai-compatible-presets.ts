import type { ChatDialect } from './chat-wire.js';

/** Gemini's OpenAI-compatible endpoint (wire.md §6.3). */
export const GEMINI_BASE_URL = 'https://generativelanguage.googleapis.com/v1beta/openai';
export const OPENAI_BASE_URL = 'https://api.openai.com/v1';

/** The defaults a preset gives a `providers.<id>` section; every key can still be overridden. */
export interface ChatPreset {
  readonly baseUrl: string;
  readonly apiKeyEnv: string;
  readonly dialect: ChatDialect;
}

/**
 * Built-in presets: `gemini` works with only `GEMINI_API_KEY` set (seeds-spec §C.1 item 3), `openai`
 * with only `OPENAI_API_KEY`.
 *
 * @example
 * CHAT_PRESETS.gemini.apiKeyEnv; // 'GEMINI_API_KEY'
 */
export const CHAT_PRESETS = {
  gemini: { baseUrl: GEMINI_BASE_URL, apiKeyEnv: 'GEMINI_API_KEY', dialect: 'gemini' },
  openai: { baseUrl: OPENAI_BASE_URL, apiKeyEnv: 'OPENAI_API_KEY', dialect: 'openai' },
} as const satisfies Record<string, ChatPreset>;

export type ChatPresetName = keyof typeof CHAT_PRESETS;
