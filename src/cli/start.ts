/**
 * `switchyard start [--config FILE]`: serve until SIGTERM/SIGINT; SIGHUP reloads the file without
 * dropping requests in flight (an invalid file is reported and the running config stays), and
 * reads `server.tls`'s certificate and key again.
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfigFile, parseConfigText } from '../config/load-config.js';
import { DEMO_CONFIG_YAML } from '../config/demo-config.js';
import { createGateway } from '../gateway/create-gateway.js';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { startServer, type ListeningServer } from '../server/create-server.js';
import { tlsFilesOf } from '../server/tls-files.js';
import { createLogger } from '../telemetry/logger.js';
import { switchyardVersion } from './version.js';

export async function start(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' } }, allowPositionals: false });
  const file = values.config ?? process.env.SWITCHYARD_CONFIG;
  let config;
  try {
    config = file ? await loadConfigFile(file) : parseConfigText(DEMO_CONFIG_YAML, 'built-in demo config');
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 1;
    }
    throw err;
  }
  const logger = createLogger(config.log.level);
  const gateway = await createGateway(config, { logger });
  const { socket } = config.server;
  const listening = await startServer(gateway, {
    host: config.server.host,
    port: config.server.port,
    tls: tlsFilesOf(config.server.tls),
    http2: config.server.tls?.http2,
    socket: socket && { path: socket.path, mode: Number.parseInt(socket.mode, 8) },
  });
  logger.info(
    { version: switchyardVersion(), url: listening.url, ...(listening.http2 ? { http2: true } : {}), ...(socket ? { socket: socket.path } : {}), config: file ?? 'built-in demo', routes: Object.keys(config.routes) },
    'listening',
  );
  if (!file && process.stdout.isTTY) {
    process.stdout.write(
      `\nSwitchyard is serving the built-in demo on ${listening.url}\nTry: curl ${listening.url}/v1/chat/completions -H 'content-type: application/json' -d '{"model":"chat","messages":[{"role":"user","content":"Hello"}]}'\n\n`,
    );
  }

  process.on('SIGHUP', () => {
    if (!file) {
      logger.warn('SIGHUP: the built-in demo config has no file to reload');
      return;
    }
    loadConfigFile(file)
      .then((next) => gateway.reload(next))
      .then(() => warnIfMoved(config.server, gateway.config.server, listening, logger))
      .then(() =>
        reloadTls(listening, gateway.config.server, logger).catch((err: unknown) =>
          logger.error({ err: err instanceof ConfigError ? err.message : err }, 'the certificate and key cannot be served; the ones in force stay'),
        ),
      )
      .catch((err: unknown) => logger.error({ err: err instanceof ConfigError ? err.message : err }, 'reload failed; the running config stays'));
  });

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: exiting now');
        process.exit(1);
      }
      stopping = true;
      const timeoutMs = gateway.config.server.shutdown_timeout_ms;
      logger.info({ signal, timeoutMs }, 'shutting down: finishing requests in flight');
      void listening
        .close()
        .then(({ cut }) => {
          if (cut > 0) logger.warn({ cut, timeoutMs }, 'shutdown: connections with a request still in flight were cut at the deadline');
        })
        .then(() => gateway.close())
        .then(() => resolve(0));
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

/** On SIGHUP: a new `server.host`, `server.port` or `server.socket` is not taken up (that takes a restart), and the log says so. */
function warnIfMoved(started: Config['server'], next: Config['server'], listening: ListeningServer, logger: Logger): void {
  const moved = (['host', 'port'] as const).filter((field) => next[field] !== started[field]);
  if (moved.length > 0) {
    const fields = moved.map((field) => `server.${field}`).join(' and ');
    logger.warn({ url: listening.url, host: next.host, port: next.port }, `${fields} changed: listening on another address takes a restart; the server goes on at ${listening.url}`);
  }
  if (next.socket?.path !== started.socket?.path || next.socket?.mode !== started.socket?.mode) {
    logger.warn({ socket: listening.socketPath ?? null }, `server.socket changed: serving on another socket, or with other permissions, takes a restart; the server goes on ${listening.socketPath ? `at ${listening.socketPath}` : 'without one'}`);
  }
}

/** On SIGHUP: the certificate and key read again (a rotated certificate); turning TLS on or off takes a restart. */
async function reloadTls(listening: ListeningServer, server: Config['server'], logger: Logger): Promise<void> {
  const files = tlsFilesOf(server.tls);
  if (files === undefined || !listening.secure) {
    if ((files !== undefined) !== listening.secure) logger.warn(`server.tls was ${listening.secure ? 'removed' : 'added'}: serving ${listening.secure ? 'plain HTTP' : 'HTTPS'} takes a restart; the server goes on as it was`);
    return;
  }
  if ((server.tls?.http2 === true) !== listening.http2) {
    logger.warn(`server.tls.http2 was turned ${listening.http2 ? 'off' : 'on'}: ${listening.http2 ? 'no longer offering' : 'offering'} HTTP/2 takes a restart; the server goes on as it was`);
  }
  await listening.reloadTls(files);
  logger.info({ cert: files.certFile }, 'TLS certificate and key read again');
}
