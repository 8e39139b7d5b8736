/** How a request is named to telemetry: its tenant only as a hash, and the trace context it came with. */
import { createHash } from 'node:crypto';
import type { RequestTrace } from '../telemetry/request-event.js';
import type { CallOptions } from './plan-route.js';

/** Hex characters of the tenant hash kept: enough to tell tenants apart, never the credential. */
const TENANT_LABEL_CHARS = 16;

/** Tenant labels hashed lately: a gateway sees the same few credentials on request after request. */
const labels = new Map<string, string>();
const MAX_REMEMBERED_LABELS = 1_000;

/** Until virtual keys land, the tenant is the caller's credential: telemetry sees a short hash of it, or '' for none. */
export function tenantLabel(tenant: string): string {
  if (tenant === '') return '';
  let label = labels.get(tenant);
  if (label === undefined) {
    label = createHash('sha256').update(tenant).digest('hex').slice(0, TENANT_LABEL_CHARS);
    if (labels.size >= MAX_REMEMBERED_LABELS) labels.clear();
    labels.set(tenant, label);
  }
  return label;
}

/**
 * The upstream headers of one traced call: `traceparent` names the call's own span as the parent
 * (W3C Trace Context, version 00), with the request's sampling flag; the client's `tracestate` is
 * passed on unchanged.
 */
export function tracedHeaders(headers: Record<string, string> | undefined, trace: RequestTrace, spanId: string, tracestate: string | undefined): Record<string, string> {
  const traced: Record<string, string> = { ...headers, traceparent: `00-${trace.traceId}-${spanId}-${trace.sampled ? '01' : '00'}` };
  if (tracestate !== undefined) traced.tracestate = tracestate;
  return traced;
}
