import { BlockList, isIP } from 'node:net';

/**
 * Which hosts an `http_request` step may reach (SPEC section 4, HTTP_STEP_ALLOWED_HOSTS).
 *
 * Allow-list entries (case-insensitive):
 * - `api.example.com`: that hostname exactly;
 * - `*.example.com`: any subdomain of example.com (not example.com itself);
 * - `203.0.113.7`, `::1`: an IP literal;
 * - `10.0.0.0/8`, `fd00::/8`: a CIDR block (IPv4 or IPv6).
 *
 * Semantics:
 * - The SPEC says the step "only reaches hosts on the configured allow-list", so an EMPTY list
 *   reaches no host at all: every request is refused with HOST_NOT_ALLOWED.
 * - The URL's host must match an entry (hostname, wildcard, or, for an IP-literal host, an IP/CIDR).
 * - Every address the host resolves to is then checked: a private, loopback, link-local,
 *   unique-local, unspecified, CGNAT, multicast or reserved address (also when IPv4-mapped or
 *   NAT64-embedded) is refused unless that address is covered by an IP/CIDR entry or the hostname
 *   is listed exactly. A wildcard entry never authorises a private address, so a subdomain whose
 *   DNS someone else controls cannot point the engine at the internal network.
 */
export interface AllowList {
  readonly hostnames: ReadonlySet<string>;
  /** Suffixes with the leading dot, e.g. `.example.com` for `*.example.com`. */
  readonly wildcardSuffixes: readonly string[];
  readonly addresses: BlockList;
  readonly empty: boolean;
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
  const hostnames = new Set<string>();
  const wildcardSuffixes: string[] = [];
  const addresses = new BlockList();
  for (const raw of entries) {
    const entry = stripBrackets(raw.trim().toLowerCase());
    if (!entry) continue;
    const slash = entry.indexOf('/');
    if (slash >= 0) {
      const net = entry.slice(0, slash);
      const prefix = Number(entry.slice(slash + 1));
      const family = isIP(net);
      const max = family === 4 ? 32 : 128;
      if (!family || !/^\d{1,3}$/.test(entry.slice(slash + 1)) || prefix > max) throw invalidEntry(raw);
      addresses.addSubnet(net, prefix, family === 4 ? 'ipv4' : 'ipv6');
    } else if (isIP(entry)) {
      addresses.addAddress(entry, isIP(entry) === 4 ? 'ipv4' : 'ipv6');
    } else if (entry.startsWith('*.')) {
      const domain = trimDot(entry.slice(2));
      if (!HOSTNAME.test(domain)) throw invalidEntry(raw);
      wildcardSuffixes.push(`.${domain}`);
    } else {
      const host = trimDot(entry);
      if (!HOSTNAME.test(host)) throw invalidEntry(raw);
      hostnames.add(host);
    }
  }
  const empty = hostnames.size === 0 && wildcardSuffixes.length === 0 && addresses.rules.length === 0;
  return { hostnames, wildcardSuffixes, addresses, empty };
}

/** Normalises a URL hostname: lowercase, no IPv6 brackets, no trailing dot. */
export function normalizeHost(hostname: string): string {
  return trimDot(stripBrackets(hostname.toLowerCase()));
}

/** Whether the (normalised) host of a URL matches an allow-list entry. */
export function matchesAllowList(host: string, list: AllowList): boolean {
  if (isIP(host)) return isAddressListed(host, list);
  return list.hostnames.has(host) || list.wildcardSuffixes.some((suffix) => host.endsWith(suffix));
}

/** Whether an IP address is covered by an IP or CIDR entry (IPv4-mapped forms count as their IPv4). */
export function isAddressListed(address: string, list: AllowList): boolean {
  const ip = stripZone(address);
  const family = isIP(ip);
  if (!family) return false;
  if (list.addresses.check(ip, family === 4 ? 'ipv4' : 'ipv6')) return true;
  const embedded = family === 6 ? embeddedIPv4(ip) : null;
  return embedded !== null && list.addresses.check(embedded, 'ipv4');
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
 * Checks a URL hostname against the allow-list, resolving it to refuse non-public addresses that
 * are not listed. Returns the addresses that were checked.
 */
export async function checkHost(hostname: string, list: AllowList, resolve: HostResolver): Promise<HostCheck> {
  const host = normalizeHost(hostname);
  if (list.empty) {
    return { allowed: false, reason: 'HTTP_STEP_ALLOWED_HOSTS is empty, so http_request may reach no host' };
  }
  if (!matchesAllowList(host, list)) {
    return { allowed: false, reason: `host "${host}" is not on the HTTP_STEP_ALLOWED_HOSTS allow-list` };
  }
  const addresses = isIP(host) ? [host] : (await resolve(host)).map((r) => r.address);
  if (addresses.length === 0) return { allowed: false, reason: `host "${host}" resolved to no address` };
  const hostListed = list.hostnames.has(host);
  for (const address of addresses) {
    if (isNonPublicAddress(address) && !hostListed && !isAddressListed(address, list)) {
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
    `HTTP_STEP_ALLOWED_HOSTS: invalid entry "${entry}" (expected a hostname, *.domain, an IP address or a CIDR block)`,
  );
}
