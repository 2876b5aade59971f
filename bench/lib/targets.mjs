// What the bench sends: one request body per client protocol, and one target per contender × route.
import { NODEX_MODELS } from './nodex.mjs';

export const PATHS = {
  chat: '/v1/chat/completions',
  responses: '/v1/responses',
  messages: '/v1/messages',
};

const PROMPT = 'Say hello.';

/** The request body of a client protocol (a small prompt, like the research peers' load tests). */
export function requestBody(protocol, model, stream) {
  if (protocol === 'chat') {
    return {
      model,
      messages: [{ role: 'user', content: PROMPT }],
      max_tokens: 16,
      ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
    };
  }
  if (protocol === 'responses') {
    // store:false like Codex CLI, so the gateway keeps no previous_response_id history.
    return { model, input: PROMPT, store: false, ...(stream ? { stream: true } : {}) };
  }
  return {
    model,
    max_tokens: 16,
    messages: [{ role: 'user', content: PROMPT }],
    ...(stream ? { stream: true } : {}),
  };
}

function clientHeaders(protocol, key) {
  const headers = { 'content-type': 'application/json' };
  if (protocol === 'messages') {
    headers['x-api-key'] = key;
    headers['anthropic-version'] = '2023-06-01';
  } else {
    headers.authorization = `Bearer ${key}`;
  }
  return headers;
}

/**
 * A target: where to send one client protocol and with which headers and model.
 *
 * @typedef {{ id: string, label: string, contender: 'direct' | 'floor' | 'portkey' | 'nodex',
 *   protocol: 'chat' | 'responses' | 'messages', provider?: string, origin: string, path: string,
 *   headers: Record<string, string>, model: string }} Target
 */

/** @returns {Target} */
export function directTarget(protocol, mockUrl) {
  return {
    id: `direct:${protocol}`,
    label: `direct ${protocol}`,
    contender: 'direct',
    protocol,
    origin: mockUrl,
    path: PATHS[protocol],
    headers: clientHeaders(protocol, 'sk-mock'),
    model: 'mock-model',
  };
}

/** @returns {Target} */
export function floorTarget(protocol, floorUrl) {
  return {
    id: `floor:${protocol}`,
    label: `floor ${protocol}`,
    contender: 'floor',
    protocol,
    origin: floorUrl,
    path: PATHS[protocol],
    headers: clientHeaders(protocol, 'sk-mock'),
    model: 'mock-model',
  };
}

/** @returns {Target} */
export function portkeyTarget(portkeyUrl, mockUrl) {
  return {
    id: 'portkey:chat',
    label: 'Portkey chat',
    contender: 'portkey',
    protocol: 'chat',
    origin: portkeyUrl,
    path: PATHS.chat,
    headers: {
      ...clientHeaders('chat', 'sk-mock'),
      'x-portkey-provider': 'openai',
      'x-portkey-custom-host': `${mockUrl}/v1`,
    },
    model: 'mock-model',
  };
}

/** @returns {Target} */
export function nodexTarget(protocol, provider, nodexUrl, key) {
  return {
    id: `nodex:${protocol}>${provider}`,
    label: `nodex ${protocol} → ${provider}`,
    contender: 'nodex',
    protocol,
    provider,
    origin: nodexUrl,
    path: PATHS[protocol],
    headers: clientHeaders(protocol, key),
    model: NODEX_MODELS[provider],
  };
}

/** Every client protocol × provider route, the four the issue requires first. */
export const NODEX_ROUTES = [
  ['chat', 'openai-compatible'],
  ['responses', 'codex'],
  ['messages', 'anthropic'],
  ['chat', 'codex'],
  ['chat', 'anthropic'],
  ['responses', 'openai-compatible'],
  ['responses', 'anthropic'],
  ['messages', 'codex'],
  ['messages', 'openai-compatible'],
];

/** The routes the load test covers (the required four). */
export const NODEX_LOAD_ROUTES = NODEX_ROUTES.slice(0, 4);
