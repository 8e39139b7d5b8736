/**
 * The gateway's own certificate and key (`server.tls`), read from their PEM files and checked as a
 * pair before they are served: at start, and again on each reload, so a certificate rotated on
 * disk (cert-manager, certbot) is picked up by SIGHUP without a restart. With `client_ca_file`,
 * the CAs whose client certificates the server requires (mTLS), read and checked with them.
 */
import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import { unreadable } from '../config/format-config-issues.js';
import { configProblems } from '../config/load-config.js';
import type { Config } from '../config/schema.js';

export interface TlsFiles {
  certFile: string;
  keyFile: string;
  /** CAs of the client certificates required (mTLS); none required without it. */
  clientCaFile?: string | undefined;
}

export interface TlsPair {
  cert: Buffer;
  key: Buffer;
  /** The client CAs, when client certificates are required. */
  ca?: Buffer;
}

/** `server.tls` as files, or undefined for plain HTTP. */
export function tlsFilesOf(tls: Config['server']['tls']): TlsFiles | undefined {
  return tls && { certFile: tls.cert_file, keyFile: tls.key_file, clientCaFile: tls.client_ca_file };
}

export async function readTlsFiles(files: TlsFiles): Promise<TlsPair> {
  const named = [
    { field: 'cert_file', file: files.certFile },
    { field: 'key_file', file: files.keyFile },
    ...(files.clientCaFile === undefined ? [] : [{ field: 'client_ca_file', file: files.clientCaFile }]),
  ];
  const read = await Promise.allSettled(named.map(({ file }) => readFile(file)));
  const problems = read.flatMap((result, i) => (result.status === 'rejected' ? [{ path: ['server', 'tls', named[i]!.field], message: unreadable(named[i]!.file, result.reason) }] : []));
  if (problems.length > 0) throw configProblems(problems);
  const [cert, key, ca] = read.map((result) => (result as PromiseFulfilledResult<Buffer>).value);
  const pair: TlsPair = { cert: cert!, key: key!, ...(ca ? { ca } : {}) };
  try {
    createSecureContext({ cert: pair.cert, key: pair.key });
  } catch (err) {
    throw configProblems([{ path: ['server', 'tls'], message: `cannot serve ${files.certFile} with ${files.keyFile}: ${(err as Error).message} (a PEM certificate chain and the PEM private key that goes with it)` }]);
  }
  if (pair.ca) {
    try {
      createSecureContext({ ca: pair.ca });
    } catch (err) {
      throw configProblems([{ path: ['server', 'tls', 'client_ca_file'], message: `cannot use ${files.clientCaFile} as client CAs: ${(err as Error).message} (a PEM bundle of CA certificates)` }]);
    }
  }
  return pair;
}
