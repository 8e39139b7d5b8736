/** A replay as text, hop by hop: what was decided then, what would be decided now, and why. */
import type { ReplayHop, ReplayOutcome, ReplayReport } from './replay-decision.js';

const SOURCE_TEXT: Record<NonNullable<ReplayHop['source']>, string> = {
  recorded: '',
  repeated: ' [assumed: as its last recorded call]',
  assumed: ' [assumed: not tried then]',
};

export function renderReplay(report: ReplayReport, configLabel: string): string {
  const lines = [`Replay of request ${report.requestId} (route ${report.route}, recorded ${new Date(report.recordedAt).toISOString()})`, '', 'Then (as recorded):'];
  lines.push(...hopLines(report.then.hops), `  result: ${outcomeText(report.then.outcome)}`, '');
  if (report.now) {
    lines.push(`Now (${configLabel}):`, ...hopLines(report.now.hops), `  result: ${outcomeText(report.now.outcome)}`, '');
  }
  lines.push(`Decision ${report.changed ? 'CHANGED' : 'unchanged'}: ${report.changed ? 'the walk now differs from the walk then.' : 'the same walk and result as then.'}`);
  if (report.notes.length > 0) lines.push('', 'Notes:', ...report.notes.map((note) => `  - ${note}`));
  return `${lines.join('\n')}\n`;
}

function hopLines(hops: readonly ReplayHop[]): string[] {
  if (hops.length === 0) return ['  (no call was made)'];
  const width = Math.max(...hops.map((hop) => hop.deployment.length));
  return hops.flatMap((hop) => {
    const what = `${hop.outcome}${hop.shape ? ` ${hop.shape}` : ''}`;
    const line = `  hop ${hop.hop}  ${hop.deployment.padEnd(width)}  call ${hop.attempt}  ${what.padEnd(28)} -> ${hop.decision}${hop.source ? SOURCE_TEXT[hop.source] : ''}`;
    return hop.why ? [line, `        why: ${hop.why}`] : [line];
  });
}

function outcomeText(outcome: ReplayOutcome): string {
  const reason = outcome.fallbackReason ? `, fallback reason ${outcome.fallbackReason}` : '';
  if (outcome.servedBy) return `served by ${outcome.servedBy} (${outcome.status})${reason}`;
  return `failed with ${outcome.status}${outcome.code ? ` ${outcome.code}` : ''}${reason}`;
}
