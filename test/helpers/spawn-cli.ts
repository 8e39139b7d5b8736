/** Runs the switchyard CLI from source (through tsx) as a real child process. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

const ENTRY = new URL('../../src/cli/bin.ts', import.meta.url).pathname;

export function cliArgs(args: string[]): string[] {
  return ['--import', 'tsx', ENTRY, ...args];
}

export async function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const child = spawn(process.execPath, cliArgs(args), { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

export interface RunningGateway {
  child: ChildProcess;
  url: string;
  /** Every JSON log line the process printed so far. */
  logs: Record<string, unknown>[];
  stop(): Promise<number | null>;
}

/** Starts `switchyard start` and resolves once it logged its listening URL. */
export async function startCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunningGateway> {
  const child = spawn(process.execPath, cliArgs(['start', ...args]), { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the gateway did not start within 15 s: ${stderr}`)), 15_000);
    child.once('exit', (code) => reject(new Error(`the gateway exited with ${code}: ${stderr}`)));
    lines.on('line', (line) => {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (entry.msg === 'listening') {
          clearTimeout(timer);
          resolve(String(entry.url));
        }
      } catch {
        // not a log line (the demo banner)
      }
    });
  });
  return {
    child,
    url,
    logs,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      return code;
    },
  };
}
