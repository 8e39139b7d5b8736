/**
 * A gateway for the /v1/messages tests, with the real `@anthropic-ai/sdk` client pointed at it.
 * Routes: `chat` (one mock), `fallback` (a mock that tests break, then a healthy one) and
 * `recorded` (an OpenAI-compatible recording upstream, to see exactly what reached the upstream).
 */
import Anthropic from '@anthropic-ai/sdk';
import { startGateway, type GatewayFixture } from '../../helpers/gateway-fixture.js';
import { startRecordingUpstream, type RecordingUpstream } from '../../helpers/recording-upstream.js';
import type { ConfigInput } from '../../../src/config/schema.js';

export const CLIENT_KEY = 'client-key-not-for-upstream';

export interface AnthropicFixture {
  gw: GatewayFixture;
  upstream: RecordingUpstream;
  /** Retries off: each call is one request. */
  anthropic: Anthropic;
  close(): Promise<void>;
}

const TIMEOUTS = { first_byte_ms: 5000, idle_ms: 5000, total_ms: 10000 };

export async function startAnthropicGateway(server: Record<string, unknown> = {}): Promise<AnthropicFixture> {
  const upstream = await startRecordingUpstream();
  const config = {
    log: { level: 'silent' },
    server,
    health: { enabled: false },
    providers: {
      primary: { type: 'mock' },
      flaky: { type: 'mock' },
      backup: { type: 'mock' },
      recorder: { type: 'openai-compatible', base_url: upstream.url, api_key: 'sk-upstream-recorder-0123456789' },
    },
    deployments: {
      primary: { provider: 'primary', model: 'mock-primary' },
      flaky: { provider: 'flaky', model: 'mock-flaky' },
      backup: { provider: 'backup', model: 'mock-backup' },
      recorder: { provider: 'recorder', model: 'model-recorder' },
    },
    routes: {
      chat: { chain: ['primary'], timeouts: TIMEOUTS },
      fallback: { chain: ['flaky', 'backup'], timeouts: TIMEOUTS },
      recorded: { chain: ['recorder'], timeouts: TIMEOUTS },
    },
  } as ConfigInput;
  const gw = await startGateway(config);
  const anthropic = new Anthropic({ baseURL: gw.url, apiKey: CLIENT_KEY, maxRetries: 0 });
  return {
    gw,
    upstream,
    anthropic,
    async close() {
      await gw.close();
      await upstream.close();
    },
  };
}

/** The text of a message's text blocks. */
export function textOf(message: Anthropic.Message): string {
  return message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
}
