/**
 * The `mock` provider's definition: its options, and `create`, which loads the mock server and the
 * wire adapter only when a config names a mock (the registry loads every definition).
 */
import { z } from 'zod';
import { httpProviderOptions, transportOptions } from '../provider-options.js';
import type { ProviderDefinition } from '../types.js';
import { faultListSchema } from './mock-faults.js';
import { latencySchema } from './sample-latency.js';
import { WIRE_FORMATS } from './wire-adapters.js';

const EMBEDDED_ONLY = ['faults', 'latency_ms', 'chunk_delay_ms'] as const;

const options = z
  .strictObject({
    type: z.literal('mock'),
    /** The wire format the gateway speaks to the mock, through that provider's real adapter. Default `openai`. */
    wire: z.enum(WIRE_FORMATS).default('openai'),
    /** An external mock (e.g. `switchyard mock --port N`); absent: start one in-process. */
    base_url: httpProviderOptions.base_url,
    /** Embedded: the key the mock demands. External: the key sent to it. */
    api_key: httpProviderOptions.api_key,
    /** Base latency of every answer: ms, or `{ p50, p99 }` of a log-normal. Embedded mock only. */
    latency_ms: latencySchema.optional(),
    /** Pause between stream chunks. Embedded mock only. */
    chunk_delay_ms: z.number().nonnegative().optional(),
    /** Faults the embedded mock starts with. */
    faults: faultListSchema.default([]),
    ...transportOptions,
  })
  .superRefine((value, ctx) => {
    if (value.base_url === undefined) return;
    for (const key of EMBEDDED_ONLY) {
      const set = key === 'faults' ? value.faults.length > 0 : value[key] !== undefined;
      // Silently ignoring these would make a drill pass against a healthy external mock.
      if (set) ctx.addIssue({ code: 'custom', path: [key], message: `applies only to the embedded mock; with base_url, set it on the external mock (its /_mock/faults API or its own flags)` });
    }
  });

export type MockProviderConfig = z.infer<typeof options>;

export const mockProvider: ProviderDefinition<typeof options> = {
  type: 'mock',
  options,
  async create(config, context) {
    const { createMockProvider } = await import('./mock-provider.js');
    return createMockProvider(config, context);
  },
};
