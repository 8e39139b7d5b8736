#!/usr/bin/env node
// Runs the whole test suite with node's test runner (TypeScript through tsx).
// Tests that need something outside the project live in files named *.redis.test.ts, *.pg.test.ts
// (a service that must answer) or *.browser.test.ts (Chromium, which .ci/run installs from Debian's
// packages); when it is missing they are skipped and listed with the reason, and under CI=true a
// skip fails the run.
import { spawn } from 'node:child_process';
import { accessSync, constants, readdirSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

/** Chromium for *.browser.test.ts: Debian's, unless CHROMIUM_PATH names another. */
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const REQUIREMENTS = {
  redis: { check: () => answers({ host: '127.0.0.1', port: 6379 }), missing: 'Redis at 127.0.0.1:6379 did not answer' },
  pg: { check: () => answers({ host: '127.0.0.1', port: 5432 }), missing: 'PostgreSQL at 127.0.0.1:5432 did not answer' },
  browser: { check: () => executable(chromiumPath), missing: `no Chromium at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH)` },
};

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findTests(dir) {
  const out = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...findTests(path));
    else if (entry.endsWith('.test.ts')) out.push(path);
  }
  return out.sort();
}

function answers({ host, port }) {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 1500 });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

const filter = process.argv.slice(2);
let files = findTests('test');
if (filter.length > 0) files = files.filter((file) => filter.some((part) => file.includes(part)));

const skipped = [];
for (const [name, requirement] of Object.entries(REQUIREMENTS)) {
  const needing = files.filter((file) => file.endsWith(`.${name}.test.ts`));
  if (needing.length === 0) continue;
  if (await requirement.check()) continue;
  for (const file of needing) skipped.push({ file, reason: requirement.missing });
  files = files.filter((file) => !needing.includes(file));
}

if (skipped.length > 0) {
  console.log(`\nSKIPPED ${skipped.length} test file(s) because what they need is missing:`);
  for (const { file, reason } of skipped) console.log(`  - ${file}: ${reason}`);
  console.log('');
}

// Gateways made by tests keep no request log in the repo's .switchyard/ unless a test asks for one.
const env = { ...process.env, SWITCHYARD_REQUEST_LOG: process.env.SWITCHYARD_REQUEST_LOG ?? 'off', CHROMIUM_PATH: chromiumPath };
const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], { stdio: 'inherit', env });
child.on('exit', (code, signal) => {
  if (skipped.length > 0) {
    console.log(`\n${skipped.length} test file(s) skipped for a missing service or browser (listed above).`);
    if (process.env.CI === 'true') {
      console.log('CI=true: a skipped test file is a failure.');
      process.exit(1);
    }
  }
  process.exit(code ?? (signal ? 1 : 0));
});
