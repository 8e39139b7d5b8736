/**
 * The switchyard command. Each subcommand is a file of its own, loaded when it runs (a gateway never
 * loads the drill's or the mock server's code); this one only dispatches.
 */
import { switchyardVersion } from './version.js';

type Run = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, { load: () => Promise<Run>; summary: string }> = {
  start: { load: async () => (await import('./start.js')).start, summary: 'serve the gateway (--config FILE; without one, the built-in demo)' },
  'check-config': { load: async () => (await import('./check-config.js')).checkConfig, summary: 'validate a config file and point at every problem (check-config FILE)' },
  mock: { load: async () => (await import('./mock.js')).runMock, summary: 'run the built-in mock provider as its own server (--port N)' },
  log: { load: async () => (await import('./log.js')).showLog, summary: 'recent requests from the request log (--route, --reason, --since, --status, --limit, --json)' },
  replay: { load: async () => (await import('./replay.js')).replay, summary: 'replay the fallback decision of a logged request, then vs now (replay REQUEST_ID [--config FILE])' },
  drill: { load: async () => (await import('../drill/index.js')).runDrill, summary: 'outage drill: break the primary in each failure shape under load, report how the chain held' },
};

export function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(14)} ${command.summary}`);
  return `Usage: switchyard <command> [options]\n\nCommands:\n${lines.join('\n')}\n  version        print the version (also --version)\n  help           show this text\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(usage());
    return name === undefined ? 1 : 0;
  }
  if (name === 'version' || name === '--version' || name === '-v') {
    process.stdout.write(`switchyard ${switchyardVersion()} (node ${process.version})\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`switchyard: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  const run = await command.load();
  return run(rest);
}
