import { z } from 'zod';
import { duration } from '../../config/schema.js';
import type { ProviderFactory } from '../provider-factory.js';
import { MOCK_MODES } from './mock-models.js';
import { MockProvider } from './mock-provider.js';

const MockOptionsSchema = z.strictObject({
  mode: z.enum(MOCK_MODES).default('echo'),
  first_event_delay_ms: duration.optional(),
  delta_interval_ms: duration.optional(),
  deltas: z.number().int().positive().optional(),
  delta_size: z.number().int().positive().optional(),
});

type MockOptions = z.output<typeof MockOptionsSchema>;

export const mockFactory: ProviderFactory<MockOptions> = {
  kind: 'mock',
  schema: MockOptionsSchema,
  builtIn: true,
  create: (id, options) =>
    new MockProvider({
      id,
      mode: options.mode,
      pacing: {
        ...(options.first_event_delay_ms === undefined
          ? {}
          : { firstEventDelayMs: options.first_event_delay_ms }),
        ...(options.delta_interval_ms === undefined ? {} : { deltaIntervalMs: options.delta_interval_ms }),
        ...(options.deltas === undefined ? {} : { deltas: options.deltas }),
        ...(options.delta_size === undefined ? {} : { deltaSize: options.delta_size }),
      },
    }),
};
