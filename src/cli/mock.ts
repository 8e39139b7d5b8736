/** `switchyard mock --port N`: the built-in mock provider as its own server (OpenAI wire format). */
import { parseArgs } from 'node:util';
import { startMockServer } from '../providers/mock/index.js';

export async function runMock(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string', short: 'p', default: '9090' },
      host: { type: 'string', default: '127.0.0.1' },
      name: { type: 'string', default: 'mock' },
      faults: { type: 'string' },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`switchyard mock: --port must be a port number, got '${values.port}'\n`);
    return 2;
  }
  const faults: unknown = values.faults ? JSON.parse(values.faults) : [];
  const server = await startMockServer({ name: values.name, host: values.host, port, faults: faults as never });
  process.stdout.write(`mock provider '${values.name}' listening on ${server.url} (faults: GET/PUT/DELETE ${server.url.replace(/\/v1$/, '')}/_mock/faults)\n`);
  return new Promise<number>((resolve) => {
    const stop = () => void server.close().then(() => resolve(0));
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}
