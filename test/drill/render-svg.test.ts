import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { chartScale, logTicks, renderSvg } from '../../src/drill/render-svg.js';
import { summarizeRun } from '../../src/drill/summarize.js';
import { run } from './sample-factory.js';

function count(text: string, pattern: RegExp): number {
  return (text.match(pattern) ?? []).length;
}

describe('renderSvg', () => {
  const r = run(10, (phase, i) => {
    if (phase !== 'outage') return { hop: 1, latencyMs: 40 };
    return i < 3 ? { ok: false, status: 502, error: '502 upstream_503', latencyMs: 5 } : { hop: 2, latencyMs: 300, deployment: 'backup-small' };
  });
  const svg = renderSvg(r, summarizeRun(r, { minSuccess: 1 }));

  test('is one standalone svg element with a title', () => {
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" [^>]*viewBox="0 0 \d+ \d+"/);
    assert.ok(svg.trimEnd().endsWith('</svg>'));
    assert.equal(count(svg, /<svg/g), 1);
    assert.match(svg, /<title>upstream_5xx \(json\): primary mock-primary broken for 1\.0 s<\/title>/);
    assert.doesNotMatch(svg, /NaN|undefined|Infinity/);
  });

  test('draws a point per successful request, a cross per failed one, coloured by hop', () => {
    // 27 served requests, plus one legend swatch per hop seen (1 and 2).
    assert.equal(count(svg, /<circle /g), 27 + 2);
    assert.equal(count(svg, /class="failed"/g), 3);
    assert.equal(count(svg, /<circle [^>]*fill="#1f77b4"/g), 20 + 1);
    assert.equal(count(svg, /<circle [^>]*fill="#ff7f0e"/g), 7 + 1);
    assert.match(svg, /hop 2 · backup-small/);
  });

  test('shades the outage from the fault being set to it being cleared', () => {
    // x runs 0..3 s over the plot's 864 px starting at 72: the outage is 1..2 s.
    const rect = /<rect class="outage" x="([\d.]+)" y="\d+" width="([\d.]+)"/.exec(svg);
    assert.ok(rect);
    assert.equal(Number(rect[1]), 72 + 864 / 3);
    assert.equal(Number(rect[2]), 864 / 3);
    assert.match(svg, /outage: error, status 503/);
  });

  test('escapes text it did not write itself', () => {
    const odd = { ...r, primary: 'a<b>&"c"' };
    const out = renderSvg(odd, summarizeRun(odd, { minSuccess: 1 }));
    assert.match(out, /a&lt;b&gt;&amp;&quot;c&quot;/);
    assert.doesNotMatch(out, /a<b>/);
  });
});

describe('chart scales', () => {
  test('the latency axis spans whole 1-2-5 steps around every latency, at least a decade', () => {
    const r = run(5, (phase) => ({ latencyMs: phase === 'outage' ? 10_300 : 37 }));
    const scale = chartScale(r);
    assert.equal(scale.y0, 20);
    assert.equal(scale.y1, 20_000);
    const narrow = chartScale(run(5, () => ({ latencyMs: 40 })));
    assert.ok(narrow.y1 / narrow.y0 >= 10);
  });

  test('log ticks fall on 1, 2 and 5 of each decade', () => {
    assert.deepEqual(logTicks(20, 2000), [20, 50, 100, 200, 500, 1000, 2000]);
  });
});
