import { countInputTokens } from '../protocols/count-input-tokens.js';
import { decodeResponsesInput } from '../protocols/openai-responses/decode-input.js';
import { decodeTools } from '../protocols/openai-responses/decode-tools.js';
import type { RequestOptions, ResponseCreateParams } from './create-params.js';
import { type RunnerContext, startResponse } from './request-runner.js';
import type { ResponseStream } from './response-stream.js';
import { type RunToolsParams, runTools } from './run-tools.js';
import type { SdkResponse } from './sdk-response.js';
import type { ParseableTextFormat } from './structured-output.js';
import { isSdkTool } from './tool.js';

type ParsedOf<P> = P extends { text: { format: ParseableTextFormat<infer T> } } ? T : unknown;

/** `client.responses`: the OpenAI Responses surface over every provider. */
export class Responses {
  readonly inputTokens: {
    count(
      params: Pick<ResponseCreateParams, 'model' | 'input' | 'instructions' | 'tools'>,
    ): Promise<{ object: 'response.input_tokens'; input_tokens: number }>;
  };

  constructor(readonly context: () => RunnerContext) {
    this.inputTokens = {
      count: async (params) => {
        const tools = decodeTools(
          params.tools?.map((t) => (isSdkTool(t) ? t.definition : t)),
          () => undefined,
        );
        const input_tokens = await countInputTokens({
          input: decodeResponsesInput(params.input ?? []),
          ...(params.instructions ? { instructions: params.instructions } : {}),
          ...(tools ? { tools } : {}),
        });
        return { object: 'response.input_tokens', input_tokens };
      },
    };
  }

  /**
   * Creates a response. With `stream: true`, resolves (once the upstream has started answering) to a
   * ResponseStream of v1 events; otherwise to the complete response.
   *
   * @example
   * const response = await client.responses.create({ model: 'gpt-5.5', input: 'Say hi' });
   * console.log(response.output_text);
   */
  create<P extends ResponseCreateParams & { stream: true }>(
    params: P,
    options?: RequestOptions,
  ): Promise<ResponseStream<ParsedOf<P>>>;
  create<P extends ResponseCreateParams & { stream?: false | undefined }>(
    params: P,
    options?: RequestOptions,
  ): Promise<SdkResponse<ParsedOf<P>>>;
  create(params: ResponseCreateParams, options?: RequestOptions): Promise<ResponseStream | SdkResponse>;
  async create(
    params: ResponseCreateParams,
    options?: RequestOptions,
  ): Promise<ResponseStream | SdkResponse> {
    const stream = await startResponse(params, this.context(), options);
    return params.stream === true ? stream : stream.finalResponse();
  }

  /** Same as `create({ ...params, stream: true })`. */
  stream<P extends ResponseCreateParams>(
    params: P,
    options?: RequestOptions,
  ): Promise<ResponseStream<ParsedOf<P>>> {
    return startResponse<ParsedOf<P>>({ ...params, stream: true }, this.context(), options);
  }

  /**
   * Runs the tool loop with `tool()` helpers until the model answers without calling a tool.
   *
   * @example
   * const r = await client.responses.runTools({ model, input: 'Weather in Paris?', tools: [weather] });
   */
  runTools(params: RunToolsParams, options?: RequestOptions): Promise<SdkResponse> {
    return runTools((p, o) => this.create({ ...p, stream: false }, o), params, options);
  }
}
