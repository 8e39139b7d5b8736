/** Logged requests as a text table, newest first, one line each with its walk. */
import type { LoggedRequest } from './request-log.js';

const HEADERS = ['TIME', 'REQUEST ID', 'ROUTE', 'STATUS', 'SERVED BY', 'HOPS', 'REASON', 'MS', 'COST USD', 'WALK'] as const;

export function renderLogTable(requests: readonly LoggedRequest[]): string {
  if (requests.length === 0) return 'No logged request matches.\n';
  const rows = requests.map(({ request, hops }) => [
    new Date(request.started_at).toISOString(),
    request.request_id,
    request.route,
    String(request.status) + (request.stream ? ' (stream)' : ''),
    request.error_code ? `- (${request.error_code})` : (request.deployment ?? '-'),
    String(request.hop_count),
    request.fallback_reason ?? '-',
    request.duration_ms.toFixed(1),
    request.cost_usd === null ? '-' : request.cost_usd.toFixed(6),
    hops.map((hop) => `${hop.deployment}:${hop.outcome}${hop.shape ? `:${hop.shape}` : ''}`).join(' > '),
  ]);
  const widths = HEADERS.map((header, i) => Math.max(header.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: readonly string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] as number))).join('  ');
  return `${[line(HEADERS), ...rows.map(line)].join('\n')}\n`;
}
