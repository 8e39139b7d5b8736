import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createLogger } from '../../src/telemetry/logger.js';

describe('logger redaction', () => {
  test('every kind of provider credential is censored wherever a logged object holds it', () => {
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
    const secrets = {
      api_key: 'sk-secret-one',
      secret_access_key: 'aws-secret-two',
      session_token: 'aws-session-three',
      access_token: 'ya29-vertex-four',
      entra_token: 'entra-five',
    };
    logger.info({ provider: secrets, config: { providers: { p: secrets } }, headers: { authorization: 'Bearer sk-six', 'x-goog-api-key': 'goog-seven', 'x-amz-security-token': 'amz-eight' } }, 'config');
    const text = lines.join('');
    for (const secret of [...Object.values(secrets), 'sk-six', 'goog-seven', 'amz-eight']) assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
    assert.match(text, /\[redacted\]/);
  });
});
