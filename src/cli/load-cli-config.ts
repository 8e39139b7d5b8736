/** The config a read-only command (`log`, `replay`) works from: `--config FILE`, else $SWITCHYARD_CONFIG, else the built-in demo. */
import { DEMO_CONFIG_YAML } from '../config/demo-config.js';
import { loadConfigFile, parseConfigText } from '../config/load-config.js';
import type { Config } from '../config/schema.js';

export async function loadCliConfig(file: string | undefined): Promise<{ config: Config; label: string }> {
  const path = file ?? process.env.SWITCHYARD_CONFIG;
  if (path) return { config: await loadConfigFile(path), label: path };
  return { config: parseConfigText(DEMO_CONFIG_YAML, 'built-in demo config'), label: 'built-in demo config' };
}
