/**
 * Which proxy, if any, a provider's calls leave through (and a handoff webhook's, and trace
 * exports: telemetry/traces/export-agent.ts).
 *
 * A provider's `proxy` option is a proxy's URL (every call to that provider goes through it),
 * `none`, or `env` (the default): the proxy the environment names for the upstream's scheme, read
 * as curl and Go read it:
 * - `https_proxy` / `HTTPS_PROXY` for an https upstream, `http_proxy` / `HTTP_PROXY` for an http one,
 *   `all_proxy` / `ALL_PROXY` for either when those are unset; the lower-case name first;
 * - no proxy for a host that `no_proxy` / `NO_PROXY` lists: `*` for every host, `example.com` for it
 *   and its subdomains, `.example.com` or `*.example.com` for its subdomains, an IP address, a CIDR
 *   block (`10.0.0.0/8`) for IP-address hosts, each with an optional `:port`;
 * - never for a loopback upstream (`localhost`, 127.0.0.0/8, `::1`), as Go's net/http: a local
 *   model server is not reached through the office's proxy.
 *
 * A value without a scheme (`proxy.corp:3128`) is taken as `http://`, as curl does. A SOCKS proxy
 * is named by its version, as curl names it: `socks5h://` (the proxy resolves the upstream's name),
 * `socks5://`, `socks4a://` (the proxy resolves) or `socks4://` (socks-connect.ts). A bare
 * `socks://` is refused rather than guessed: clients disagree on which version it means.
 */
import { BlockList, isIP } from 'node:net';
import { SettingError } from '../../config/setting-error.js';

/** A provider's `proxy` option: `env`, `none` or a proxy's URL. */
export type ProxySetting = string;

/** A proxy as logs and errors show it. */
export interface ShownProxy {
  /** The proxy without credentials or path (`http://proxy.corp:3128`). */
  shown: string;
  /** Where it was set: `config`, or the environment variable that named it. */
  source: string;
}

/** What a provider's calls go through. */
export interface EgressProxy extends ShownProxy {
  /** The proxy's URL with its credentials: for the connection only. */
  url: string;
}

export type Env = Readonly<Record<string, string | undefined>>;

/** Thrown for a proxy URL that cannot be used; its message never repeats the value, which may hold a password. */
export class ProxySettingError extends SettingError {
  override name = 'ProxySettingError';
  constructor(message: string) {
    super(['proxy'], message);
  }
}

/** What an error about a call adds when the call went through a proxy: " through the proxy http://host:port (from HTTPS_PROXY)". */
export function throughProxy(proxy: ShownProxy | undefined): string {
  return proxy ? ` through the proxy ${proxy.shown} (from ${proxy.source})` : '';
}

/** The proxy calls to `upstream` go through under `setting`, or undefined for a direct connection. */
export function proxyFor(setting: ProxySetting, upstream: URL, env: Env): EgressProxy | undefined {
  if (setting === 'none') return undefined;
  if (setting !== 'env') return parseProxyUrl(setting, 'config');
  if (isLoopback(hostOf(upstream))) return undefined;
  const found = proxyVariable(upstream.protocol, env);
  if (found === undefined) return undefined;
  if (bypassesProxy(upstream, env.no_proxy ?? env.NO_PROXY ?? '')) return undefined;
  return parseProxyUrl(found.value, found.name);
}

/** Why a proxy URL as config gives it cannot be used ("is not a URL: ..."), or undefined when it can. */
export function proxyUrlProblem(value: string): string | undefined {
  const read = readProxyUrl(value);
  return 'problem' in read ? read.problem : undefined;
}

function proxyVariable(protocol: string, env: Env): { name: string; value: string } | undefined {
  const names = protocol === 'https:' ? ['https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY'] : ['http_proxy', 'HTTP_PROXY', 'all_proxy', 'ALL_PROXY'];
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return { name, value };
  }
  return undefined;
}

function parseProxyUrl(value: string, source: string): EgressProxy {
  const read = readProxyUrl(value);
  // The message names the setting, never its value: a proxy URL may carry a password.
  if ('problem' in read) {
    throw new ProxySettingError(source === 'config' ? `The proxy ${read.problem}` : `${source} ${read.problem} (proxy: env, the default, reads it; proxy: none ignores it)`);
  }
  return { url: read.url.href, shown: `${read.url.protocol}//${read.url.host}`, source };
}

const PROXY_PROTOCOLS = new Set(['http:', 'https:', 'socks5h:', 'socks5:', 'socks4a:', 'socks4:']);

/** Whether calls through `proxy` open SOCKS tunnels rather than speak HTTP to it. */
export function isSocksProxy(proxy: EgressProxy): boolean {
  return proxy.url.startsWith('socks');
}

function readProxyUrl(value: string): { url: URL } | { problem: string } {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
  } catch {
    return { problem: 'is not a URL: give http://host:port, https://host:port or socks5h://host:port (with user:password@ before the host if the proxy asks for them)' };
  }
  if (url.protocol === 'socks:') return { problem: 'is a socks:// URL: name the SOCKS version, socks5h://, socks5://, socks4a:// or socks4://' };
  if (!PROXY_PROTOCOLS.has(url.protocol)) {
    return { problem: `is a ${url.protocol.slice(0, -1)} URL: only http://, https://, socks5h://, socks5://, socks4a:// and socks4:// proxies are supported` };
  }
  if (url.hostname === '') return { problem: 'names no host' };
  if (url.username === '' && url.password !== '') return { problem: 'has a password without a user name' };
  if (url.password !== '' && url.protocol.startsWith('socks4')) return { problem: 'is a SOCKS4 proxy with a password: SOCKS4 carries a user id only (socks5h:// takes a user and a password)' };
  if (url.pathname !== '' && url.pathname !== '/' && url.protocol.startsWith('socks')) return { problem: 'has a path: a SOCKS proxy is a host and a port' };
  return { url };
}

/** The host as NO_PROXY entries name it: lower case, without an IPv6 address's brackets or a trailing dot. */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '').toLowerCase();
}

function isLoopback(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const family = isIP(host);
  if (family === 4) return host.startsWith('127.');
  if (family === 6) return LOOPBACK_V6.check(host, 'ipv6');
  return false;
}

const LOOPBACK_V6 = new BlockList();
LOOPBACK_V6.addAddress('::1', 'ipv6');

function defaultPort(protocol: string): number {
  return protocol === 'https:' ? 443 : 80;
}

/** Whether `noProxy` (a NO_PROXY value) lists the upstream. */
export function bypassesProxy(upstream: URL, noProxy: string): boolean {
  const host = hostOf(upstream);
  const port = upstream.port === '' ? defaultPort(upstream.protocol) : Number(upstream.port);
  const family = isIP(host) as 0 | 4 | 6;
  for (const raw of noProxy.split(/[\s,]+/)) {
    if (raw === '') continue;
    if (raw === '*') return true;
    const entry = splitPort(raw.toLowerCase());
    if (entry.port !== undefined && entry.port !== port) continue;
    const name = entry.host.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
    const slash = name.indexOf('/');
    if (slash >= 0) {
      if (family !== 0 && inBlock(host, family, name.slice(0, slash), name.slice(slash + 1))) return true;
      continue;
    }
    if (isIP(name) !== 0) {
      if (family !== 0 && sameAddress(host, family, name)) return true;
      continue;
    }
    if (name.startsWith('*.') || name.startsWith('.')) {
      if (host.endsWith(name.slice(name.indexOf('.')))) return true;
    } else if (host === name || host.endsWith(`.${name}`)) {
      return true;
    }
  }
  return false;
}

/** `host:port` into its parts; an IPv6 address's colons stay in the host (`[::1]:8080`, `::1`). */
function splitPort(entry: string): { host: string; port: number | undefined } {
  const match = /^(\[[^\]]*\]|[^:]*):(\d+)$/.exec(entry);
  return match ? { host: match[1] as string, port: Number(match[2]) } : { host: entry, port: undefined };
}

function inBlock(host: string, family: 4 | 6, network: string, prefix: string): boolean {
  const networkFamily = isIP(network);
  const bits = Number(prefix);
  if (networkFamily !== family || !/^\d+$/.test(prefix) || bits > (family === 4 ? 32 : 128)) return false;
  const block = new BlockList();
  const type = family === 4 ? 'ipv4' : 'ipv6';
  block.addSubnet(network, bits, type);
  return block.check(host, type);
}

function sameAddress(host: string, family: 4 | 6, address: string): boolean {
  if (isIP(address) !== family) return false;
  const block = new BlockList();
  const type = family === 4 ? 'ipv4' : 'ipv6';
  block.addAddress(address, type);
  return block.check(host, type);
}
