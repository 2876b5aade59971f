import type { RequestOptions, ResponseCreateParams } from './create-params.js';
import type { Responses } from './responses-resource.js';
import { isSdkTool } from './tool.js';

/** `generate()` input: a prompt or messages, plus any `responses.create` parameter. */
export type GenerateParams = Omit<ResponseCreateParams, 'input' | 'stream'> &
  (
    | { readonly prompt: string; readonly messages?: undefined }
    | { readonly messages: ResponseCreateParams['input']; readonly prompt?: undefined }
  );

function toCreate(params: GenerateParams): ResponseCreateParams {
  const { prompt, messages, ...rest } = params;
  if ((prompt === undefined) === (messages === undefined))
    throw new TypeError('give exactly one of prompt or messages');
  return { ...rest, input: prompt ?? messages };
}

/**
 * Text in, text out (oauth-codex's `generate`). With `tool()` helpers in `tools`, the tool loop runs
 * first and the final answer is returned.
 *
 * @example
 * const text = await generate(client.responses, { model: 'mock-text', prompt: 'hi' });
 */
export async function generate(
  responses: Responses,
  params: GenerateParams,
  options?: RequestOptions,
): Promise<string> {
  const create = toCreate(params);
  const runsTools = create.tools?.some(isSdkTool) ?? false;
  const response = runsTools
    ? await responses.runTools(create, options)
    : await responses.create({ ...create, stream: false }, options);
  return response.output_text;
}

/** Streams only the text deltas of a response (oauth-codex's `generate_stream`). */
export async function* generateStream(
  responses: Responses,
  params: GenerateParams,
  options?: RequestOptions,
): AsyncGenerator<string> {
  const stream = await responses.create({ ...toCreate(params), stream: true }, options);
  for await (const event of stream) if (event.type === 'text_delta') yield event.delta;
  await stream.finalResponse();
}
