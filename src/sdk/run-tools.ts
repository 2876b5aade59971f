import { NodexError } from '../core/errors.js';
import type { FunctionCallOutputItem, InputItem } from '../core/request.js';
import { decodeResponsesInput } from '../protocols/openai-responses/decode-input.js';
import type { RequestOptions, ResponseCreateParams } from './create-params.js';
import type { SdkResponse } from './sdk-response.js';
import { isSdkTool } from './tool.js';
import { runToolCall, type ToolHandler } from './tool-loop.js';

export interface RunToolsParams extends ResponseCreateParams {
  /** Turns (model calls) allowed before giving up; default 10. */
  readonly maxTurns?: number;
}

export type CreateFn = (params: ResponseCreateParams, options?: RequestOptions) => Promise<SdkResponse>;

/**
 * The tool loop: call the model; run every tool call it makes with the matching `tool()`; send the
 * whole conversation back (input, the model's output items, the tool outputs — never only the
 * outputs, which stateless backends cannot resolve); repeat until the model answers without
 * calling a tool. Tool errors and unknown tools go back to the model as `{"error": …}`.
 */
export async function runTools(
  create: CreateFn,
  params: RunToolsParams,
  options?: RequestOptions,
): Promise<SdkResponse> {
  const { maxTurns = 10, ...rest } = params;
  const handlers: Record<string, ToolHandler> = {};
  for (const sdkTool of (params.tools ?? []).filter(isSdkTool)) {
    handlers[sdkTool.definition.name] = (_args, call) =>
      sdkTool.execute(sdkTool.parseArguments(call.arguments_json));
  }
  let input: InputItem[] = decodeResponsesInput(params.input ?? []);
  for (let turn = 1; turn <= maxTurns; turn++) {
    const response = await create(
      {
        ...rest,
        input,
        stream: false,
        previous_response_id: turn === 1 ? params.previous_response_id : undefined,
      },
      options,
    );
    const calls = response.output.filter((item) => item.type === 'function_call') as unknown as {
      call_id: string;
      name: string;
      arguments: string;
    }[];
    if (calls.length === 0) return response;
    const outputs: FunctionCallOutputItem[] = await Promise.all(
      calls.map(async (call) => ({
        type: 'function_call_output' as const,
        call_id: call.call_id,
        output: await runToolCall(handlers, { type: 'function_call', ...call }),
      })),
    );
    input = [
      ...input,
      ...decodeResponsesInput(response.output.map(({ id: _id, status: _status, ...item }) => item)),
      ...outputs,
    ];
  }
  throw new NodexError(
    'tool_loop_limit',
    `the tool loop reached its limit of ${maxTurns} turns without a final answer`,
  );
}
