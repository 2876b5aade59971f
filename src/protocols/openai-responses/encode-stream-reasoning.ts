import type { ReasoningDeltaEvent } from '../../core/events.js';
import type { ResponsesOutputItem } from './encode-response.js';

/** Writes one SSE frame (the encoder adds `type` and `sequence_number`). */
export type Framer = (type: string, payload: Record<string, unknown>) => string;

const summaryPart = (text: string) => ({ type: 'summary_text', text });
const reasoningTextPart = (text: string) => ({ type: 'reasoning_text', text });

/**
 * The wire events of one open reasoning item (wire.md §3.2): summary parts per `summary_index`
 * (`reasoning_summary_part.added` → `reasoning_summary_text.delta`* → `.text.done` → `.part.done`)
 * and raw text as a `reasoning_text` content part. Raw text of an item without a summary of its own
 * (Anthropic thinking) is shown as summary part 0, as `encodeOutputItem` renders it, because Codex
 * CLI displays summary deltas and hides `reasoning_text` unless `show_raw_agent_reasoning` is set.
 *
 * @example
 * const wire = new ReasoningWire('rs_1', 0, frame);
 * out.push(...wire.delta(event));
 * out.push(...wire.close(finalItem));
 */
export class ReasoningWire {
  /** Streamed text per wire summary index. */
  readonly #parts: string[] = [];
  /** The summary part still open (-1: none yet). */
  #openPart = -1;
  /** Streamed `reasoning_text` (undefined until its content part is added). */
  #content: string | undefined;
  /** Raw text is shown as summary part 0. */
  #mirror = false;

  constructor(
    readonly id: string,
    readonly index: number,
    private readonly frame: Framer,
  ) {}

  delta(event: ReasoningDeltaEvent): string[] {
    const out: string[] = [];
    if (event.kind === 'text') {
      if (this.#parts.length === 0 && this.#content === undefined) this.#mirror = true;
      if (this.#mirror) this.#summaryDelta(out, 0, event.delta);
      else this.#contentDelta(out, event.delta);
      return out;
    }
    // In mirror mode part 0 is the raw text, so the item's own summary parts follow it.
    const offset = this.#mirror ? 1 : 0;
    const index = event.summary_index ?? Math.max(0, this.#parts.length - offset - 1);
    this.#summaryDelta(out, index + offset, event.delta);
    return out;
  }

  /** Ends the item: parts the deltas never carried are streamed whole; done events carry final text. */
  close(item: ResponsesOutputItem): string[] {
    const out: string[] = [];
    const summary = ((item.summary ?? []) as readonly { text: string }[]).map((part) => part.text);
    while (this.#openPart < summary.length - 1) {
      this.#openNextPart(out, summary);
      this.#summaryDelta(out, this.#openPart, summary[this.#openPart] ?? '');
    }
    this.#closePart(out, summary);
    const content = ((item.content ?? []) as readonly { text?: string }[])[0]?.text;
    if (this.#content === undefined && content) this.#contentDelta(out, content);
    if (this.#content !== undefined) {
      const text = content ?? this.#content;
      const at = { ...this.#at(), content_index: 0 };
      out.push(
        this.frame('response.reasoning_text.done', { ...at, text }),
        this.frame('response.content_part.done', { ...at, part: reasoningTextPart(text) }),
      );
    }
    return out;
  }

  #at(): { item_id: string; output_index: number } {
    return { item_id: this.id, output_index: this.index };
  }

  #summaryDelta(out: string[], index: number, delta: string): void {
    while (this.#openPart < index) this.#openNextPart(out);
    this.#parts[index] = (this.#parts[index] ?? '') + delta;
    if (delta === '') return;
    out.push(
      this.frame('response.reasoning_summary_text.delta', { ...this.#at(), summary_index: index, delta }),
    );
  }

  /** Closes the open summary part (with its final text when known) and opens the next one. */
  #openNextPart(out: string[], final?: readonly string[]): void {
    this.#closePart(out, final);
    this.#openPart += 1;
    this.#parts[this.#openPart] ??= '';
    out.push(
      this.frame('response.reasoning_summary_part.added', {
        ...this.#at(),
        summary_index: this.#openPart,
        part: summaryPart(''),
      }),
    );
  }

  #closePart(out: string[], final?: readonly string[]): void {
    const index = this.#openPart;
    if (index < 0) return;
    const text = final?.[index] ?? this.#parts[index] ?? '';
    const at = { ...this.#at(), summary_index: index };
    out.push(
      this.frame('response.reasoning_summary_text.done', { ...at, text }),
      this.frame('response.reasoning_summary_part.done', { ...at, part: summaryPart(text) }),
    );
  }

  #contentDelta(out: string[], delta: string): void {
    const at = { ...this.#at(), content_index: 0 };
    if (this.#content === undefined) {
      this.#content = '';
      out.push(this.frame('response.content_part.added', { ...at, part: reasoningTextPart('') }));
    }
    this.#content += delta;
    if (delta !== '') out.push(this.frame('response.reasoning_text.delta', { ...at, delta }));
  }
}
