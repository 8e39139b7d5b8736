/** The azure config block: exactly one kind of credentials, said clearly when not; the GA api-version by default. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { azureProvider } from '../../../src/providers/azure/index.js';

function issues(schema: { safeParse(value: unknown): { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } } }, value: unknown): string[] {
  const parsed = schema.safeParse(value);
  return parsed.success ? [] : (parsed.error?.issues ?? []).map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('azure options', () => {
  const base = { type: 'azure', base_url: 'https://my-resource.openai.azure.com' };

  test('take an api_key or an entra_token, with the GA api-version and the deployments form by default', () => {
    const parsed = azureProvider.options.parse({ ...base, api_key: 'k' });
    assert.equal(parsed.api_version, '2024-10-21');
    assert.equal(parsed.url_form, 'deployments');
    assert.deepEqual(issues(azureProvider.options, { ...base, entra_token: 't', url_form: 'v1' }), []);
  });

  test('refuse both credentials, neither, and a missing endpoint', () => {
    assert.match(issues(azureProvider.options, { ...base, api_key: 'k', entra_token: 't' }).join(), /either api_key or entra_token, not both/);
    assert.match(issues(azureProvider.options, base).join(), /needs credentials/);
    assert.match(issues(azureProvider.options, { type: 'azure', api_key: 'k' }).join(), /base_url/);
  });
});
