#!/usr/bin/env node
// `npm run bench`: runs the benchmark orchestrator (bench/run.ts) under tsx, pinned to the load core
// (core 1) when taskset exists, so its /proc sampling never lands on the core the target is measured on.
// Arguments pass through: `npm run bench -- --quick`, `npm run bench -- --help`.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import os from 'node:os';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const node = [process.execPath, '--import', 'tsx', path.join(root, 'bench', 'run.ts'), ...args];
const canPin = !args.includes('--no-pin') && os.cpus().length >= 2 && spawnSync('taskset', ['-c', '1', 'true']).status === 0;
const [command, ...argv] = canPin ? ['taskset', '-c', '1', ...node] : node;

const child = spawn(command, argv, { cwd: root, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  process.exitCode = code ?? (signal ? 1 : 0);
});
