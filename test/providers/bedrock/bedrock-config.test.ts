/** The bedrock config block: exactly one kind of credentials, said clearly when not. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bedrockBaseUrl, bedrockProvider } from '../../../src/providers/bedrock/index.js';

function issues(schema: { safeParse(value: unknown): { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } } }, value: unknown): string[] {
  const parsed = schema.safeParse(value);
  return parsed.success ? [] : (parsed.error?.issues ?? []).map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('bedrock options', () => {
  const base = { type: 'bedrock', region: 'us-east-1' };

  test('take either an API key or an access key pair; the endpoint defaults from the region', () => {
    assert.equal(bedrockBaseUrl('eu-central-1'), 'https://bedrock-runtime.eu-central-1.amazonaws.com');
    assert.deepEqual(issues(bedrockProvider.options, { ...base, api_key: 'ABSKexample' }), []);
    assert.deepEqual(issues(bedrockProvider.options, { ...base, access_key_id: 'AKIDEXAMPLE', secret_access_key: 'secret', session_token: 'token' }), []);
  });

  test('refuse both, neither, half a pair, a lone session token and a malformed region, each with a message that says what to write', () => {
    assert.match(issues(bedrockProvider.options, { ...base, api_key: 'k', access_key_id: 'a', secret_access_key: 's' }).join(), /either api_key .* not both/);
    assert.match(issues(bedrockProvider.options, base).join(), /needs credentials/);
    assert.match(issues(bedrockProvider.options, { ...base, access_key_id: 'a' }).join(), /secret_access_key: SigV4 signing needs both/);
    assert.match(issues(bedrockProvider.options, { ...base, api_key: 'k', session_token: 't' }).join(), /session_token: a session_token goes with/);
    assert.match(issues(bedrockProvider.options, { ...base, region: 'Virginia', api_key: 'k' }).join(), /region: write an AWS region/);
  });
});
