#!/usr/bin/env -S node --max-semi-space-size=8 --no-allocation-site-pretenuring --heap-growing-percent=50
// The switchyard command: runs the compiled CLI (`npm install` builds it through the prepare script).
// The V8 flags above are the gateway's runtime tuning (README, "Node flags"): a small young generation
// and no allocation-site pretenuring, for shorter GC pauses and less GC work, and an old generation
// collected once it has grown by half, which keeps memory down until V8's first full GC under load.
// `npm start` passes the same flags, and the benchmark reads them from this line
// (bench/gateway-node-flags.ts).
import '../dist/cli/bin.js';
