import { z } from 'zod';

/** Wire schemas for Responses API input items: loose on unknown fields, strict on what nodex reads. */

export const TextPartSchema = z.looseObject({
  type: z.enum(['input_text', 'output_text', 'text']),
  text: z.string(),
});

export const RefusalPartSchema = z.looseObject({ type: z.literal('refusal'), refusal: z.string() });

export const ImagePartSchema = z.looseObject({
  type: z.literal('input_image'),
  image_url: z.string().min(1).optional(),
  file_id: z.string().optional(),
  detail: z.enum(['auto', 'low', 'high']).optional(),
});

export const ContentPartSchema = z.looseObject({ type: z.string() });

export const MessageSchema = z.looseObject({
  type: z.literal('message').optional(),
  role: z.enum(['user', 'assistant', 'system', 'developer']),
  content: z.union([z.string(), z.array(ContentPartSchema)]),
  id: z.string().optional(),
});

export const FunctionCallSchema = z.looseObject({
  type: z.literal('function_call'),
  call_id: z.string().min(1),
  name: z.string().min(1),
  arguments: z.string(),
  id: z.string().optional(),
});

export const FunctionCallOutputSchema = z.looseObject({
  type: z.literal('function_call_output'),
  call_id: z.string().min(1),
  output: z.union([z.string(), z.array(ContentPartSchema)]),
});

export const ReasoningSchema = z.looseObject({
  type: z.literal('reasoning'),
  id: z.string().optional(),
  summary: z.array(z.looseObject({ type: z.string(), text: z.string() })).default([]),
  content: z.array(z.looseObject({ type: z.string(), text: z.string() })).nullish(),
  encrypted_content: z.string().nullish(),
});

export type WireMessage = z.output<typeof MessageSchema>;
