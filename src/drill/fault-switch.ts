/**
 * Turns the primary's outage on and off: directly through the gateway's FaultControl when the
 * gateway runs in process, through its admin API (PUT/DELETE /admin/mocks/{provider}/faults)
 * when it runs elsewhere. Either way the fault list the primary had before the drill is kept and
 * put back at the end, so a drill leaves a running gateway as it found it.
 */
import type { Dispatcher } from 'undici';
import type { FaultControl } from '../providers/types.js';
import type { FaultSpec } from '../providers/mock/index.js';

export interface FaultSwitch {
  /** The faults the primary had when the drill began (restored by `restore`). */
  readonly original: unknown[];
  set(faults: FaultSpec[]): Promise<void>;
  clear(): Promise<void>;
  restore(): Promise<void>;
}

/** Something that stops the drill before it starts: an unknown route, a provider that is not a mock, a refused token. */
export class DrillSetupError extends Error {
  override readonly name = 'DrillSetupError';
}

export function inProcessSwitch(control: FaultControl): FaultSwitch {
  const current = control.get();
  const original = Array.isArray(current) ? [...(current as unknown[])] : [];
  return {
    original,
    set: async (faults) => control.set(faults),
    clear: async () => control.clear(),
    restore: async () => (original.length > 0 ? control.set(original) : control.clear()),
  };
}

export interface RemoteSwitchOptions {
  dispatcher: Dispatcher;
  origin: string;
  adminToken: string;
  provider: string;
}

/** Checks the admin API answers for this provider (token, mock) and reads its current faults. */
export async function remoteSwitch(options: RemoteSwitchOptions): Promise<FaultSwitch> {
  const path = `/admin/mocks/${encodeURIComponent(options.provider)}/faults`;
  const call = async (method: 'GET' | 'PUT' | 'DELETE', body?: unknown): Promise<unknown> => {
    const response = await options.dispatcher.request({
      origin: options.origin,
      path,
      method,
      headers: { authorization: `Bearer ${options.adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.body.text();
    if (response.statusCode !== 200) throw new DrillSetupError(`${method} ${path} answered ${response.statusCode}: ${errorMessage(text)}`);
    return JSON.parse(text) as unknown;
  };
  const state = (await call('GET')) as { faults?: unknown };
  const original = Array.isArray(state.faults) ? [...(state.faults as unknown[])] : [];
  return {
    original,
    set: async (faults) => void (await call('PUT', { faults })),
    clear: async () => void (await call('DELETE')),
    restore: async () => void (original.length > 0 ? await call('PUT', { faults: original }) : await call('DELETE')),
  };
}

function errorMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } };
    if (typeof body.error?.message === 'string') return body.error.message;
  } catch {
    // not JSON: show the start of it
  }
  return text.slice(0, 200);
}
