import { randomBytes } from 'node:crypto';
import { isErrorCode } from '../core/error-codes.js';
import { NodexError } from '../core/errors.js';
import type { StreamEvent } from '../core/events.js';
import type { CanonicalRequest, InputItem } from '../core/request.js';
import type { CanonicalResponse } from '../core/response.js';
import type { Warning } from '../core/warnings.js';
import { decodeResponsesRequest } from '../protocols/openai-responses/decode-request.js';
import { encodeResponsesResponse } from '../protocols/openai-responses/encode-response.js';
import type { Route } from '../routing/router.js';
import type { RequestOptions, ResponseCreateParams } from './create-params.js';
import { ParameterValidationError, SDKRequestError } from './errors.js';
import { callHook, type NodexHooks } from './hooks.js';
import { ResponseStream } from './response-stream.js';
import type { SdkResponse } from './sdk-response.js';
import { parseOutput } from './structured-output.js';
import { isSdkTool } from './tool.js';
import { applyIssue, capabilityIssues, type StoreBehavior, type ValidationMode } from './validation.js';

/** Stored turns for `previous_response_id` emulation (the compat store implements it). */
export interface ResponseHistory {
  /** The whole conversation up to and including `responseId` (input and output items), or undefined. */
  chain(responseId: string): Promise<readonly InputItem[] | undefined>;
  save(record: {
    id: string;
    model: string;
    input: readonly InputItem[];
    output: readonly InputItem[];
    previousResponseId?: string;
  }): Promise<void>;
}

/** What the runner needs from the client. */
export interface RunnerContext {
  readonly route: (model: string) => Promise<Route>;
  readonly defaultModel: string;
  readonly validationMode: ValidationMode;
  readonly storeBehavior: StoreBehavior;
  readonly maxRetries: number;
  readonly timeoutMs: number;
  readonly hooks: NodexHooks;
  readonly history?: ResponseHistory;
}

function requestId(): string {
  return `req_${randomBytes(12).toString('hex')}`;
}

function toDecodable(params: ResponseCreateParams): Record<string, unknown> {
  const tools = params.tools?.map((tool) => (isSdkTool(tool) ? tool.definition : tool));
  return { ...params, ...(tools ? { tools } : {}) };
}

/** Decodes and validates params into a canonical request (with history prepended). */
export async function prepareRequest(
  params: ResponseCreateParams,
  context: RunnerContext,
  options: RequestOptions,
  warnings: Warning[],
): Promise<{
  request: CanonicalRequest;
  turnInput: readonly InputItem[];
  stream: boolean;
  store: boolean;
  previousResponseId?: string;
}> {
  const mode = options.validationMode ?? context.validationMode;
  const decoded = decodeResponsesRequest(toDecodable(params), {
    defaultModel: context.defaultModel,
    onIssue: (issue) => applyIssue(issue, mode, warnings),
    onWarning: (warning) => warnings.push(warning),
  });
  let request = decoded.request;
  const turnInput = decoded.request.input;
  if (decoded.previousResponseId) {
    const history = await context.history?.chain(decoded.previousResponseId);
    if (!history) {
      throw new SDKRequestError(
        'not_found',
        `previous response "${decoded.previousResponseId}" is not in the local response store`,
        {
          param: 'previous_response_id',
        },
      );
    }
    request = { ...request, input: [...history, ...request.input] };
  }
  return {
    request,
    turnInput,
    stream: decoded.stream,
    store: params.store !== false,
    ...(decoded.previousResponseId ? { previousResponseId: decoded.previousResponseId } : {}),
  };
}

/**
 * Runs one request: validate, route, call the provider and wait for its first event (so failures
 * before the stream starts reject here, typed), then hand back a ResponseStream.
 */
export async function startResponse<Parsed>(
  params: ResponseCreateParams,
  context: RunnerContext,
  options: RequestOptions = {},
): Promise<ResponseStream<Parsed>> {
  const id = requestId();
  try {
    return await begin<Parsed>(id, params, context, options);
  } catch (error) {
    if (error instanceof SDKRequestError && error.requestId === id) throw error; // already reported
    const wrapped = error instanceof ParameterValidationError ? error : SDKRequestError.from(error, id);
    const model = typeof params.model === 'string' ? params.model : context.defaultModel;
    callHook(context.hooks.onError, { requestId: id, model, error: wrapped });
    throw wrapped;
  }
}

async function begin<Parsed>(
  id: string,
  params: ResponseCreateParams,
  context: RunnerContext,
  options: RequestOptions,
): Promise<ResponseStream<Parsed>> {
  const warnings: Warning[] = [];
  const prepared = await prepareRequest(params, context, options, warnings);
  const mode = options.validationMode ?? context.validationMode;
  const route = await context.route(prepared.request.model);
  const request: CanonicalRequest = { ...prepared.request, model: route.model };
  if (mode === 'error')
    for (const issue of capabilityIssues(request, route.provider.capabilities(route.model), route.model))
      applyIssue(issue, mode, warnings);
  if (params.store === true && route.provider.kind === 'codex') {
    if (context.storeBehavior === 'error')
      throw new SDKRequestError('invalid_request', 'store=true is not supported on the Codex backend', {
        param: 'store',
      });
    if (context.storeBehavior === 'auto_disable') {
      applyIssue(
        {
          code: 'store_auto_disabled',
          param: 'store',
          message:
            'store=true was sent as store=false (the Codex backend keeps no responses); nodex stores them locally',
        },
        mode,
        warnings,
      );
    }
  }
  const info = { requestId: id, model: route.model, provider: route.provider.id, stream: prepared.stream };
  const controller = new AbortController();
  const signals = [controller.signal, AbortSignal.timeout(options.timeout ?? context.timeoutMs)];
  if (options.signal) signals.push(options.signal);
  const signal = AbortSignal.any(signals);
  const started = performance.now();
  callHook(context.hooks.onRequestStart, info);
  const timeoutMs = options.timeout ?? context.timeoutMs;
  const endCause = (): NodexError | undefined => {
    if (controller.signal.aborted || options.signal?.aborted)
      return new NodexError('aborted', 'the response stream was aborted');
    if (signal.aborted)
      return new NodexError('upstream_timeout', `no complete answer within ${timeoutMs} ms (timeout)`);
    return undefined;
  };
  const fail = (error: unknown): SDKRequestError => {
    const typed = signal.aborted ? (endCause() ?? error) : error;
    const wrapped = SDKRequestError.from(typed, id);
    callHook(context.hooks.onError, { ...info, error: wrapped });
    return wrapped;
  };
  const iterator = route.provider
    .stream(request, {
      signal,
      requestId: id,
      maxRetries: options.maxRetries ?? context.maxRetries,
      onWarning: (warning) => warnings.push(warning),
      ...(options.providerKey ? { providerKey: options.providerKey } : {}),
    })
    [Symbol.asyncIterator]();
  let first: IteratorResult<StreamEvent>;
  try {
    first = await iterator.next();
  } catch (error) {
    throw fail(error);
  }
  if (first.done)
    throw fail(
      new NodexError(
        signal.aborted ? 'aborted' : 'stream_error',
        'the provider ended the stream before any event',
      ),
    );
  const format = params.text?.format;
  const finish = (response: CanonicalResponse): SdkResponse<Parsed> => {
    if (response.error) {
      const { code, message, status, retryable } = response.error;
      throw fail(new NodexError(isErrorCode(code) ? code : 'stream_error', message, { status, retryable }));
    }
    const encoded = encodeResponsesResponse(response, request, {
      ...(prepared.previousResponseId ? { previousResponseId: prepared.previousResponseId } : {}),
      store: prepared.store,
    });
    return {
      ...encoded,
      output_parsed:
        response.status === 'completed' ? (parseOutput(format, response.output_text) as Parsed | null) : null,
      finish_reason: response.finish_reason,
      provider: route.provider.id,
      request_id: id,
      warnings,
      quota: response.quota ?? null,
    };
  };
  const onEnd = async (response: CanonicalResponse, aborted: boolean): Promise<void> => {
    const status = aborted ? 'aborted' : response.status;
    callHook(context.hooks.onRequestEnd, {
      ...info,
      status,
      usage: response.usage,
      durationMs: performance.now() - started,
    });
    if (aborted || response.status === 'failed' || !prepared.store || !context.history) return;
    try {
      await context.history.save({
        id: response.id,
        model: route.model,
        input: prepared.turnInput,
        output: response.output,
        ...(prepared.previousResponseId ? { previousResponseId: prepared.previousResponseId } : {}),
      });
    } catch (error) {
      // The answer is fine; only its local copy for previous_response_id is missing.
      warnings.push({
        feature: 'store',
        details: `could not store the response locally: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
  };
  return new ResponseStream<Parsed>({
    requestId: id,
    first: first.value,
    rest: iterator,
    controller,
    warnings,
    finish,
    onEnd,
    endCause,
  });
}
