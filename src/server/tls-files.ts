/**
 * The gateway's own certificate and key (`server.tls`), read from their PEM files and checked as a
 * pair before they are served: at start, and again on each reload, so a certificate rotated on
 * disk (cert-manager, certbot) is picked up by SIGHUP without a restart.
 */
import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import { renderProblems, type ConfigProblem } from '../config/format-config-issues.js';
import { ConfigError } from '../config/load-config.js';

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
  const unread = [
    ...(cert.status === 'rejected' ? [unreadable('cert_file', files.certFile, cert.reason)] : []),
    ...(key.status === 'rejected' ? [unreadable('key_file', files.keyFile, key.reason)] : []),
  ];
  if (cert.status === 'rejected' || key.status === 'rejected') throw problems(unread);
  const pair = { cert: cert.value, key: key.value };
  try {
    createSecureContext(pair);
  } catch (err) {
    throw problems([{ path: ['server', 'tls'], message: `cannot serve ${files.certFile} with ${files.keyFile}: ${(err as Error).message} (a PEM certificate chain and the PEM private key that goes with it)` }]);
  }
  return pair;
}

function unreadable(field: string, file: string, err: unknown): ConfigProblem {
  return { path: ['server', 'tls', field], message: `cannot be read: ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` };
}

function problems(found: ConfigProblem[]): ConfigError {
  const count = found.length === 1 ? 'a problem' : `${found.length} problems`;
  return new ConfigError(`config has ${count}:\n${renderProblems(found, 'config', () => undefined)}`, found);
}
