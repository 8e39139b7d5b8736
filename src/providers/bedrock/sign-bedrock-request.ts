/**
 * Bedrock's two ways to present credentials: an AWS SigV4 signature (access key, secret, optional
 * session token) computed by @smithy/signature-v4, or a Bedrock API key sent as a bearer token.
 * Returns the headers to send; the secret itself never leaves this file.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';

/** The SigV4 signing name of Bedrock Runtime (the host says `bedrock-runtime`, the scope says `bedrock`). */
export const BEDROCK_SIGNING_SERVICE = 'bedrock';

export type BedrockCredentials =
  | { type: 'sigv4'; accessKeyId: string; secretAccessKey: string; sessionToken?: string }
  | { type: 'api_key'; apiKey: string };

export interface RequestToSign {
  /** The path below the base URL, as sent (the model id already URL-encoded). */
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** Adds the credentials' headers to a request: resolves to the headers to send. */
export type RequestSigner = (request: RequestToSign) => Promise<Record<string, string>>;

export function createRequestSigner(options: { baseUrl: string; region: string; credentials: BedrockCredentials }): RequestSigner {
  const { credentials } = options;
  if (credentials.type === 'api_key') {
    const authorization = `Bearer ${credentials.apiKey}`;
    return async (request) => ({ ...request.headers, authorization });
  }
  const base = new URL(options.baseUrl);
  const basePath = base.pathname.replace(/\/+$/, '');
  const signer = new SignatureV4({
    service: BEDROCK_SIGNING_SERVICE,
    region: options.region,
    credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken },
    sha256: Sha256,
  });
  return async (request) => {
    const signed = await signer.sign({
      method: 'POST',
      protocol: base.protocol,
      hostname: base.hostname,
      port: base.port === '' ? undefined : Number(base.port),
      path: basePath + request.path,
      query: {},
      // `host` is signed; the HTTP client sends the same value itself, so it is dropped again below.
      headers: { ...request.headers, host: base.host },
      body: request.body,
    });
    const { host: _host, ...headers } = signed.headers;
    return headers;
  };
}

/** The secrets these credentials hold, for scrubbing upstream messages. */
export function credentialSecrets(credentials: BedrockCredentials): string[] {
  if (credentials.type === 'api_key') return [credentials.apiKey];
  return [credentials.secretAccessKey, ...(credentials.sessionToken ? [credentials.sessionToken] : [])];
}
