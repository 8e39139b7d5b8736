/**
 * The mock's control routes, for drills and for a mock running in another process
 * (`switchyard mock`): read, replace and clear the fault list, read and reset the counters.
 */
import { GatewayError } from '../../errors.js';
import type { MockExchange } from './mock-exchange.js';
import type { MockState } from './mock-state.js';
import { sendJson } from './send-json.js';

export type ControlHandler = (exchange: MockExchange, state: MockState) => void;

export const controlRoutes: ReadonlyArray<[string, ControlHandler]> = [
  ['GET /_mock/faults', ({ res }, state) => sendJson(res, 200, { faults: state.getFaults() })],
  ['PUT /_mock/faults', ({ res, body }, state) => replaceFaults(res, body, state)],
  ['DELETE /_mock/faults', ({ res }, state) => sendJson(res, 200, { faults: state.setFaults([]) })],
  ['GET /_mock/stats', ({ res }, state) => sendJson(res, 200, state.stats())],
  [
    'DELETE /_mock/stats',
    ({ res }, state) => {
      state.resetStats();
      sendJson(res, 200, state.stats());
    },
  ],
];

function replaceFaults(res: MockExchange['res'], body: unknown, state: MockState): void {
  try {
    sendJson(res, 200, { faults: state.setFaults(body) });
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    sendJson(res, err.status, { error: { message: err.message, type: err.type, param: err.param, code: err.code } });
  }
}
