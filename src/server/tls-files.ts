/**
 * The gateway's own certificate and key (`server.tls`), read from their PEM files and checked as a
 * pair before they are served: at start, and again on each reload, so a certificate rotated on
 * disk (cert-manager, certbot) is picked up by SIGHUP without a restart.
 */
import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import { unreadable } from '../config/format-config-issues.js';
import { configProblems } from '../config/load-config.js';

export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

export interface TlsPair {
  cert: Buffer;
  key: Buffer;
}

export async function readTlsFiles(files: TlsFiles): Promise<TlsPair> {
  const [cert, key] = await Promise.allSettled([readFile(files.certFile), readFile(files.keyFile)]);
  if (cert.status === 'rejected' || key.status === 'rejected') {
    throw configProblems([
      ...(cert.status === 'rejected' ? [{ path: ['server', 'tls', 'cert_file'], message: unreadable(files.certFile, cert.reason) }] : []),
      ...(key.status === 'rejected' ? [{ path: ['server', 'tls', 'key_file'], message: unreadable(files.keyFile, key.reason) }] : []),
    ]);
  }
  const pair = { cert: cert.value, key: key.value };
  try {
    createSecureContext(pair);
  } catch (err) {
    throw configProblems([{ path: ['server', 'tls'], message: `cannot serve ${files.certFile} with ${files.keyFile}: ${(err as Error).message} (a PEM certificate chain and the PEM private key that goes with it)` }]);
  }
  return pair;
}
