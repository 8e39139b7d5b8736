#!/usr/bin/env -S node --max-semi-space-size=4
// The switchyard command: runs the compiled CLI (`npm install` builds it through the prepare script).
// The V8 flag above is the gateway's runtime tuning (README, "Node flags"): a 4 MB young generation
// shortens its GC pauses (its p99) and its memory for 1-2% of its CPU. `npm start` passes the same
// flags, and the benchmark reads them from this line (bench/gateway-node-flags.ts).
import '../dist/cli/bin.js';
