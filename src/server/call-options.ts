/**
 * What a request's headers say to the gateway: its idempotency key, who is asking, and its own
 * overrides (`x-switchyard-force-deployment`, `x-switchyard-fallback: off`, `x-switchyard-deadline-ms`).
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { invalidRequest } from '../errors.js';
import type { CallOptions, RequestOverrides } from '../gateway/plan-route.js';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

type HeaderOptions = Pick<CallOptions, 'idempotencyKey' | 'tenant' | 'clientCertificate' | 'overrides' | 'traceparent' | 'tracestate'>;

/** W3C trace context: version 00 and the ids in lower-case hex (anything else is ignored, as the spec says). */
const TRACEPARENT = /^[\da-f]{2}-[\da-f]{32}-[\da-f]{16}-[\da-f]{2}$/;

/** Reads the headers' options into `options` (the caller's own, e.g. its cancellation and request id) and returns it. */
export function callOptionsFrom<T extends CallOptions>(req: IncomingMessage, options: T): T & HeaderOptions {
  const headers = req.headers;
  const traceparent = headers.traceparent;
  if (typeof traceparent === 'string' && TRACEPARENT.test(traceparent)) {
    options.traceparent = traceparent;
    if (typeof headers.tracestate === 'string') options.tracestate = headers.tracestate;
  }
  const key = headers['idempotency-key'];
  if (typeof key === 'string') {
    if (!IDEMPOTENCY_KEY.test(key)) throw invalidRequest('Idempotency-Key must be 1 to 255 visible ASCII characters.', 'Idempotency-Key', 'invalid_idempotency_key');
    options.idempotencyKey = key;
  }
  // Until virtual keys land, the caller's credential is what tells tenants apart (it is only ever
  // hashed): its Authorization header, else Anthropic's x-api-key, else the client certificate it
  // connected with (server.tls.client_ca_file). That certificate's subject names the caller in
  // telemetry either way.
  const certificate = clientCertificate(req.socket);
  if (certificate !== undefined) options.clientCertificate = certificate.subject;
  const auth = headers.authorization ?? headers['x-api-key'];
  if (typeof auth === 'string') options.tenant = auth;
  else if (certificate !== undefined) options.tenant = certificate.tenant;

  const force = headers['x-switchyard-force-deployment'];
  const fallback = headers['x-switchyard-fallback'];
  const deadline = headers['x-switchyard-deadline-ms'];
  if (force === undefined && fallback === undefined && deadline === undefined) return options;
  const overrides: RequestOverrides = {};
  if (typeof force === 'string') overrides.deployment = force;
  if (typeof fallback === 'string') {
    if (fallback !== 'on' && fallback !== 'off') throw invalidRequest("x-switchyard-fallback must be 'on' or 'off'.", 'x-switchyard-fallback', 'invalid_header');
    overrides.fallback = fallback === 'on';
  }
  if (typeof deadline === 'string') {
    const ms = Number(deadline);
    if (!Number.isInteger(ms) || ms < 1) throw invalidRequest('x-switchyard-deadline-ms must be a whole number of milliseconds.', 'x-switchyard-deadline-ms', 'invalid_header');
    overrides.deadlineMs = ms;
  }
  options.overrides = overrides;
  return options;
}

/** The subject of the client certificate the request's connection was verified with, if any. */
export function clientCertificateSubject(req: IncomingMessage): string | undefined {
  return clientCertificate(req.socket)?.subject;
}

/** A verified client certificate as the gateway uses it: the tenant it stands for, and its subject. */
interface ClientCertificate {
  tenant: string;
  /** Its subject's distinguished name, most specific first (`CN=svc-a, O=Acme`), as OpenTelemetry's `tls.client.subject`. */
  subject: string;
}

/** The client certificate of each connection that presented one the server verified, worked out once per connection. */
const certificates = new WeakMap<Socket, ClientCertificate>();

function clientCertificate(socket: Socket): ClientCertificate | undefined {
  // `authorized` is only ever true on a TLS socket whose peer's certificate was verified (mTLS).
  if ((socket as Partial<TLSSocket>).authorized !== true) return undefined;
  let certificate = certificates.get(socket);
  if (certificate === undefined) {
    const peer = (socket as TLSSocket).getPeerX509Certificate();
    certificate = { tenant: `client-certificate:${peer?.fingerprint256 ?? ''}`, subject: distinguishedName(peer?.subject ?? '') };
    certificates.set(socket, certificate);
  }
  return certificate;
}

/** Node lists a subject's attributes a line each, most significant first; a DN string (RFC 4514) lists them the other way, comma-separated. */
function distinguishedName(subject: string): string {
  return subject.split('\n').filter(Boolean).reverse().join(', ');
}
