import { BlockList, isIP } from 'node:net';

/**
 * Which hosts an `http_request` step may reach (SPEC section 4, HTTP_STEP_ALLOWED_HOSTS).
 *
 * Allow-list entries (case-insensitive), each optionally followed by `:<port>` or `:*`:
 * - `api.example.com`: that hostname exactly;
 * - `*.example.com`: any subdomain of example.com (not example.com itself);
 * - `203.0.113.7`, `::1`, `[::1]`: an IP literal (with a port, IPv6 needs brackets: `[::1]:8080`);
 * - `10.0.0.0/8`, `fd00::/8`: a CIDR block (IPv4 or IPv6), e.g. `10.0.0.0/8:8443`.
 *
 * Ports (SPEC section 4: "An entry matches host and port (80/443 implied by the scheme)"):
 * - an entry without a port matches only the scheme's default port: 80 for `http:`, 443 for
 *   `https:` (so `example.com` does not allow `http://example.com:8080`, nor `http://example.com:443`);
 * - `host:8080` matches only port 8080 (under either scheme); `host:*` any port (an explicit opt-in).
 *
 * Semantics:
 * - The SPEC says the step "only reaches hosts on the configured allow-list", so an EMPTY list
 *   reaches no host at all: every request is refused with HOST_NOT_ALLOWED.
 * - The URL's host and port must match one entry (hostname, wildcard, or, for an IP-literal host,
 *   an IP/CIDR). Callers check every URL they fetch, each redirect hop included.
 * - Every address the host resolves to is then checked: a private, loopback, link-local,
 *   unique-local, unspecified, CGNAT, multicast or reserved address (also when IPv4-mapped or
 *   NAT64-embedded) is refused unless that address is covered by an IP/CIDR entry or the hostname
 *   is listed exactly. A wildcard entry never authorises a private address, so a subdomain whose
 *   DNS someone else controls cannot point the engine at the internal network.
 */
export interface AllowList {
  /** Listed hostnames and the ports listed for each. */
  readonly hostnames: ReadonlyMap<string, readonly PortRule[]>;
  /** Suffixes with the leading dot, e.g. `.example.com` for `*.example.com`, each with its port. */
  readonly wildcards: readonly { suffix: string; port: PortRule }[];
  /** IP and CIDR entries, one block per port rule. */
  readonly addresses: readonly { block: BlockList; port: PortRule }[];
  readonly empty: boolean;
}

/** The port part of an entry: `null` for the scheme's default port (80/443), a number, or `*` for any. */
export type PortRule = number | null | '*';

/** Where a request goes: what the guard checks (a `URL` fits). */
export interface Target {
  /** The URL hostname (IPv6 in brackets is fine). */
  hostname: string;
  /** The URL port: '' for the scheme's default. */
  port: string;
  /** `http:` or `https:`. */
  protocol: string;
}

export interface ResolvedAddress {
  address: string;
  family: number;
}

export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;

export type HostCheck =
  | { allowed: true; addresses: string[] }
  | { allowed: false; reason: string };

const HOSTNAME = /^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/;

const NON_PUBLIC = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network", includes the unspecified address
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // CGNAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata endpoints
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, includes broadcast
] as const) {
  NON_PUBLIC.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 96], // unspecified, loopback and deprecated IPv4-compatible addresses
  ['fc00::', 7], // unique-local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // deprecated site-local
  ['ff00::', 8], // multicast
] as const) {
  NON_PUBLIC.addSubnet(net, prefix, 'ipv6');
}

/** Compiles HTTP_STEP_ALLOWED_HOSTS entries; throws on an entry that is none of the accepted forms. */
export function compileAllowList(entries: readonly string[]): AllowList {
  const hostnames = new Map<string, PortRule[]>();
  const wildcards: { suffix: string; port: PortRule }[] = [];
  const blocks = new Map<PortRule, BlockList>();
  const blockFor = (port: PortRule) => {
    let block = blocks.get(port);
    if (!block) blocks.set(port, (block = new BlockList()));
    return block;
  };
  for (const raw of entries) {
    const trimmed = raw.trim().toLowerCase();
    if (!trimmed) continue;
    const { host: hostPart, port } = splitPort(trimmed, raw);
    const entry = stripBrackets(hostPart);
    if (!entry) throw invalidEntry(raw);
    const slash = entry.indexOf('/');
    if (slash >= 0) {
      const net = entry.slice(0, slash);
      const prefix = Number(entry.slice(slash + 1));
      const family = isIP(net);
      const max = family === 4 ? 32 : 128;
      if (!family || !/^\d{1,3}$/.test(entry.slice(slash + 1)) || prefix > max) throw invalidEntry(raw);
      blockFor(port).addSubnet(net, prefix, family === 4 ? 'ipv4' : 'ipv6');
    } else if (isIP(entry)) {
      blockFor(port).addAddress(entry, isIP(entry) === 4 ? 'ipv4' : 'ipv6');
    } else if (entry.startsWith('*.')) {
      const domain = trimDot(entry.slice(2));
      if (!HOSTNAME.test(domain)) throw invalidEntry(raw);
      wildcards.push({ suffix: `.${domain}`, port });
    } else {
      const host = trimDot(entry);
      if (!HOSTNAME.test(host)) throw invalidEntry(raw);
      hostnames.set(host, [...(hostnames.get(host) ?? []), port]);
    }
  }
  const addresses = [...blocks].map(([port, block]) => ({ block, port }));
  const empty = hostnames.size === 0 && wildcards.length === 0 && addresses.length === 0;
  return { hostnames, wildcards, addresses, empty };
}

/**
 * Splits `host:port` / `[v6]:port` / `cidr:port` / `host:*`. A bare IPv6 address or block (more than
 * one colon, no brackets) has no port part.
 */
function splitPort(entry: string, raw: string): { host: string; port: PortRule } {
  const bracketed = /^(\[[^\]]*\](?:\/\d+)?)(?::([^:]*))?$/.exec(entry);
  let host = entry;
  let port: string | undefined;
  if (bracketed) [, host, port] = bracketed;
  else if (entry.split(':').length === 2) [host, port] = entry.split(':');
  if (port === undefined) return { host, port: null };
  if (port === '*') return { host, port: '*' };
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) throw invalidEntry(raw);
  return { host, port: Number(port) };
}

/** The port a URL connects to: its explicit port, else the scheme's default (80/443), else null. */
export function effectivePort(target: Pick<Target, 'port' | 'protocol'>): number | null {
  if (target.port !== '') return Number(target.port);
  return DEFAULT_PORTS[target.protocol] ?? null;
}

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

/** Whether a port rule lets a connection to `port` under `protocol` through. */
export function portMatches(rule: PortRule, port: number | null, protocol: string): boolean {
  if (rule === '*') return true;
  if (port === null) return false;
  return rule === null ? DEFAULT_PORTS[protocol] === port : rule === port;
}

/** Normalises a URL hostname: lowercase, no IPv6 brackets, no trailing dot. */
export function normalizeHost(hostname: string): string {
  return trimDot(stripBrackets(hostname.toLowerCase()));
}

/**
 * Whether the (normalised) host of a URL, at that port, matches an allow-list entry. Without a
 * port, the scheme's default is meant (`http:` unless given).
 */
export function matchesAllowList(host: string, list: AllowList, port: number | null = 80, protocol = 'http:'): boolean {
  if (isIP(host)) return isAddressListed(host, list, port, protocol);
  if (list.hostnames.get(host)?.some((rule) => portMatches(rule, port, protocol))) return true;
  return list.wildcards.some((w) => host.endsWith(w.suffix) && portMatches(w.port, port, protocol));
}

/**
 * Whether an IP address is covered by an IP or CIDR entry for that port (IPv4-mapped forms count as
 * their IPv4). Without a port, any port rule counts.
 */
export function isAddressListed(address: string, list: AllowList, port?: number | null, protocol = 'http:'): boolean {
  const ip = stripZone(address);
  const family = isIP(ip);
  if (!family) return false;
  const embedded = family === 6 ? embeddedIPv4(ip) : null;
  return list.addresses.some(
    ({ block, port: rule }) =>
      (port === undefined || portMatches(rule, port, protocol)) &&
      (block.check(ip, family === 4 ? 'ipv4' : 'ipv6') || (embedded !== null && block.check(embedded, 'ipv4'))),
  );
}

/** Whether an address is not publicly routable (private, loopback, link-local, CGNAT, multicast...). */
export function isNonPublicAddress(address: string): boolean {
  const ip = stripZone(address);
  const family = isIP(ip);
  if (family === 4) return NON_PUBLIC.check(ip, 'ipv4');
  if (family !== 6) return true;
  const embedded = embeddedIPv4(ip);
  if (embedded !== null) return NON_PUBLIC.check(embedded, 'ipv4');
  return NON_PUBLIC.check(ip, 'ipv6');
}

/**
 * Checks where a request goes — host and port (SPEC section 4) — against the allow-list, resolving
 * the host to refuse non-public addresses that are not listed. Returns the addresses that were
 * checked. Call it for every URL fetched, each redirect hop included.
 */
export async function checkHost(target: Target, list: AllowList, resolve: HostResolver): Promise<HostCheck> {
  const host = normalizeHost(target.hostname);
  const port = effectivePort(target);
  const where = target.port === '' ? `host "${host}"` : `host "${host}" port ${target.port}`;
  if (list.empty) {
    return { allowed: false, reason: 'HTTP_STEP_ALLOWED_HOSTS is empty, so http_request may reach no host' };
  }
  if (!matchesAllowList(host, list, port, target.protocol)) {
    return { allowed: false, reason: `${where} is not on the HTTP_STEP_ALLOWED_HOSTS allow-list (an entry matches host and port; 80/443 by scheme unless the entry names one)` };
  }
  const addresses = isIP(host) ? [host] : (await resolve(host)).map((r) => r.address);
  if (addresses.length === 0) return { allowed: false, reason: `host "${host}" resolved to no address` };
  const hostListed = list.hostnames.get(host)?.some((rule) => portMatches(rule, port, target.protocol)) ?? false;
  for (const address of addresses) {
    if (isNonPublicAddress(address) && !hostListed && !isAddressListed(address, list, port, target.protocol)) {
      return {
        allowed: false,
        reason: `host "${host}" resolves to the non-public address ${address}, which is not on the HTTP_STEP_ALLOWED_HOSTS allow-list`,
      };
    }
  }
  return { allowed: true, addresses };
}

/** The IPv4 address inside an IPv4-mapped (::ffff:0:0/96) or NAT64 (64:ff9b::/96) address. */
export function embeddedIPv4(ipv6: string): string | null {
  const groups = expandIPv6(ipv6);
  if (!groups) return null;
  const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  const nat64 = groups[0] === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((g) => g === 0);
  if (!mapped && !nat64) return null;
  return [groups[6] >> 8, groups[6] & 0xff, groups[7] >> 8, groups[7] & 0xff].join('.');
}

/** The eight 16-bit groups of an IPv6 address, or null when it is not one. */
function expandIPv6(ip: string): number[] | null {
  if (isIP(ip) !== 6) return null;
  let text = ip.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : new Array<string>(8 - left.length - right.length).fill('0');
  const groups = [...left, ...fill, ...right].map((g) => parseInt(g, 16));
  return groups.length === 8 && groups.every((g) => g >= 0 && g <= 0xffff) ? groups : null;
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function stripZone(address: string): string {
  const percent = address.indexOf('%');
  return percent >= 0 ? address.slice(0, percent) : address;
}

function trimDot(host: string): string {
  return host.endsWith('.') ? host.slice(0, -1) : host;
}

function invalidEntry(entry: string): Error {
  return new Error(
    `HTTP_STEP_ALLOWED_HOSTS: invalid entry "${entry}" (expected a hostname, *.domain, an IP address or a CIDR block, optionally with :<port> or :*)`,
  );
}
