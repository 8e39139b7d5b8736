/** The gateway side of `wire: azure`: the real Azure adapter, deployments URL form, key in `api-key`. */
import { createAzureProvider, DEFAULT_AZURE_API_VERSION } from '../../../azure/azure-provider.js';
import type { WireAdapterFactory } from '../../wire-adapters.js';

export const azureWireAdapter: WireAdapterFactory = (options) =>
  createAzureProvider({
    name: options.name,
    type: 'mock',
    // An Azure endpoint is the resource's origin; an external mock's base_url is that origin too.
    endpoint: options.baseUrl,
    auth: options.apiKey === undefined ? undefined : { type: 'api_key', key: options.apiKey },
    apiVersion: DEFAULT_AZURE_API_VERSION,
    urlForm: 'deployments',
    headers: {},
    transport: options.transport,
  });
