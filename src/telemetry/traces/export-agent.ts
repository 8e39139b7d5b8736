/**
 * The HTTP agent trace exports go out on. Like a provider's calls (providers/http/egress-proxy.ts),
 * exports take `telemetry.traces.proxy`: `env` (the default) for the proxy HTTPS_PROXY / HTTP_PROXY
 * name unless NO_PROXY lists the collector, `none`, or a proxy's URL. An https collector is
 * reached through a CONNECT tunnel, an http one with requests forwarded to the proxy. The
 * exporter (OpenTelemetry's) sends over node's http module, so the proxy agents here are
 * http.Agent's (https-proxy-agent, http-proxy-agent) rather than undici's ProxyAgent.
 * `telemetry.traces.tls` (a CA bundle, a client certificate) applies to the collector, inside the tunnel.
 */
import { Agent as HttpAgent, type ClientRequest } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { proxyFor, type EgressProxy, type Env, type ProxySetting } from '../../providers/http/egress-proxy.js';
import type { UpstreamTls } from '../../providers/http/upstream-client.js';

export interface ExportAgent {
  agent: HttpAgent;
  /** The proxy exports go through, when they do. */
  proxy: EgressProxy | undefined;
}

/** Throws a SettingError at `proxy` for a proxy variable that is not a URL. */
export function exportAgent(collector: URL, proxySetting: ProxySetting, tls: UpstreamTls | undefined, env: Env): ExportAgent {
  const proxy = proxyFor(proxySetting, collector, env);
  const https = collector.protocol === 'https:';
  if (proxy === undefined) return { agent: https ? new HttpsAgent({ ...KEEP_ALIVE, ...tls }) : new HttpAgent(KEEP_ALIVE), proxy };
  return { agent: https ? new TunnelAgent(proxy.url, tls ?? {}) : new HttpProxyAgent(proxy.url, KEEP_ALIVE), proxy };
}

/** Exports come every couple of seconds: one kept-alive connection, not a handshake per batch. */
const KEEP_ALIVE = { keepAlive: true };

/**
 * A CONNECT tunnel whose TLS handshake with the collector takes `tls`. https-proxy-agent applies
 * the options it is made with to the connection to the proxy only, and the exporter's request
 * options (where node would look for `ca`) are not ours to set.
 */
class TunnelAgent extends HttpsProxyAgent<string> {
  constructor(
    proxy: string,
    private readonly tls: UpstreamTls,
  ) {
    super(proxy, KEEP_ALIVE);
  }

  override connect(req: ClientRequest, opts: Parameters<HttpsProxyAgent<string>['connect']>[1]) {
    return super.connect(req, { ...opts, ...this.tls });
  }
}
