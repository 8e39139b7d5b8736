/**
 * Checks an AWS SigV4 `Authorization` header the way AWS does: signs the same request again with
 * the same signer package and the secret the mock knows (its key, with whatever access key id the
 * caller names), and compares the signatures.
 *
 * The mock checks credentials before it reads the body, so the payload hash is taken from the
 * signed `x-amz-content-sha256` header (which the gateway's signer sends) rather than recomputed
 * from the body: a request that does not sign that header is refused.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const PAYLOAD_HASH_HEADER = 'x-amz-content-sha256';

export function isSigV4(req: IncomingMessage): boolean {
  return req.headers.authorization?.startsWith('AWS4-HMAC-SHA256 ') ?? false;
}

export async function verifySigV4(req: IncomingMessage, secretAccessKey: string): Promise<boolean> {
  const match = AUTHORIZATION.exec(req.headers.authorization ?? '');
  if (!match) return false;
  const [, accessKeyId, , region, service, signedList, presented] = match as unknown as [string, string, string, string, string, string, string];
  const date = parseAmzDate(req.headers['x-amz-date']);
  if (date === undefined) return false;
  const signedNames = signedList.split(';');
  if (!signedNames.includes(PAYLOAD_HASH_HEADER) || !signedNames.includes('host')) return false;
  const headers: Record<string, string> = {};
  for (const name of signedNames) {
    const value = req.headers[name];
    if (typeof value !== 'string') return false;
    headers[name] = value;
  }
  const url = new URL(req.url ?? '/', 'http://mock.invalid');
  const query: Record<string, string> = {};
  url.searchParams.forEach((value, key) => {
    query[key] = value;
  });
  const sessionToken = headers['x-amz-security-token'];
  const signer = new SignatureV4({ service, region, credentials: { accessKeyId, secretAccessKey, sessionToken }, sha256: Sha256 });
  const signed = await signer.sign(
    // The path as the caller sent it (percent-encoding intact): the signer encodes it again, as AWS does.
    { method: req.method ?? 'POST', protocol: 'http:', hostname: headers.host ?? '', path: url.pathname, query, headers },
    { signingDate: date },
  );
  const expected = /Signature=([0-9a-f]{64})$/.exec(signed.headers.authorization ?? '')?.[1];
  return expected !== undefined && timingSafeEqual(Buffer.from(expected), Buffer.from(presented));
}

function parseAmzDate(value: string | string[] | undefined): Date | undefined {
  const match = typeof value === 'string' ? AMZ_DATE.exec(value) : null;
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match.map(Number) as [number, number, number, number, number, number, number];
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second));
}
