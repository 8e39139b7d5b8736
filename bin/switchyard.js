#!/usr/bin/env -S node --max-semi-space-size=4 --no-allocation-site-pretenuring --max-old-space-size=1024
// The switchyard command: runs the compiled CLI (`npm install` builds it through the prepare script).
// The V8 flags above are the gateway's runtime tuning (README, "Node flags"): a small young generation
// and no allocation-site pretenuring, for shorter GC pauses and less GC work, and a 1 GB old
// generation, under which V8 lets it grow 1.6 times its live size between full GCs instead of 4
// (the peak RSS). `npm start` passes the same flags, and the benchmark reads them from this line
// (bench/gateway-node-flags.ts).
import '../dist/cli/bin.js';
