/**
 * The switchyard command. Each subcommand is a file of its own; this one only dispatches.
 */
import { checkConfig } from './check-config.js';
import { runDrill } from '../drill/index.js';
import { showLog } from './log.js';
import { runMock } from './mock.js';
import { replay } from './replay.js';
import { start } from './start.js';

const COMMANDS: Record<string, { run: (args: string[]) => Promise<number>; summary: string }> = {
  start: { run: start, summary: 'serve the gateway (--config FILE; without one, the built-in demo)' },
  'check-config': { run: checkConfig, summary: 'validate a config file and point at every problem (check-config FILE)' },
  mock: { run: runMock, summary: 'run the built-in mock provider as its own server (--port N)' },
  log: { run: showLog, summary: 'recent requests from the request log (--route, --reason, --since, --status, --limit, --json)' },
  replay: { run: replay, summary: 'replay the fallback decision of a logged request, then vs now (replay REQUEST_ID [--config FILE])' },
  drill: { run: runDrill, summary: 'outage drill: break the primary in each failure shape under load, report how the chain held' },
};

export function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(14)} ${command.summary}`);
  return `Usage: switchyard <command> [options]\n\nCommands:\n${lines.join('\n')}\n  help           show this text\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(usage());
    return name === undefined ? 1 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`switchyard: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  return command.run(rest);
}
