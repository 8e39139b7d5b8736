import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfigFile } from '../../src/config/load-config.js';
import { drillDemoConfig } from '../../src/drill/drill-config.js';

describe('the configs a drill runs on', () => {
  test('the default is the demo with the primary\'s standing 503 fault removed, and nothing else changed', () => {
    const config = drillDemoConfig({});
    const primary = config.providers['mock-primary'];
    assert.equal(primary?.type, 'mock');
    assert.deepEqual((primary as { faults: unknown[] }).faults, []);
    assert.deepEqual(config.routes.chat?.chain, ['primary-large', 'backup-small']);
    assert.equal(config.routes.chat?.timeouts?.first_byte_ms, 10_000);
  });

  test('docs/drill-config.yaml is valid and sets the 2 s hop timeout the drill docs quote', async () => {
    const config = await loadConfigFile(new URL('../../docs/drill-config.yaml', import.meta.url).pathname, { env: {} });
    assert.equal(config.routes.chat?.timeouts?.first_byte_ms, 2000);
    assert.deepEqual((config.providers['mock-primary'] as { faults: unknown[] }).faults, []);
  });
});
