/** The gateway side of `wire: bedrock`: the real Bedrock adapter, signing with SigV4 against the mock. */
import { createBedrockProvider } from '../../../bedrock/bedrock-provider.js';
import type { WireAdapterFactory } from '../../wire-adapters.js';

/** The region the gateway signs for when it talks to a mock (any region verifies). */
export const MOCK_BEDROCK_REGION = 'us-east-1';
/** The access key id the gateway signs with: the mock accepts any id; the secret is the mock's key. */
export const MOCK_ACCESS_KEY_ID = 'MOCKACCESSKEYID';
/** The secret signed with when the mock has no key (it then checks no signature). */
const KEYLESS_SECRET = 'mock-secret-access-key';

export const bedrockWireAdapter: WireAdapterFactory = (options) =>
  createBedrockProvider({
    name: options.name,
    type: 'mock',
    region: MOCK_BEDROCK_REGION,
    baseUrl: options.baseUrl,
    credentials: { type: 'sigv4', accessKeyId: MOCK_ACCESS_KEY_ID, secretAccessKey: options.apiKey ?? KEYLESS_SECRET },
    headers: {},
    transport: options.transport,
  });
