import {
  HostResolver,
  checkHost,
  compileAllowList,
  embeddedIPv4,
  isAddressListed,
  isNonPublicAddress,
  matchesAllowList,
} from './host-guard';

const resolvesTo =
  (...addresses: string[]): HostResolver =>
  () =>
    Promise.resolve(addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));

/** The target of a request to `http://<host>/`. */
const at = (host: string, scheme = 'http') => new URL(`${scheme}://${host}/`);

describe('host guard', () => {
  describe('compileAllowList', () => {
    it('accepts hostnames, wildcards, IP literals and CIDR blocks', () => {
      const list = compileAllowList(['API.Example.com', '*.example.org', '203.0.113.7', '[2001:db8::1]', '10.0.0.0/8', 'fd00::/8']);
      expect([...list.hostnames]).toEqual([['api.example.com', [null]]]);
      expect(list.wildcards).toEqual([{ suffix: '.example.org', port: null }]);
      expect(list.empty).toBe(false);
    });

    it('refuses malformed entries', () => {
      for (const entry of ['http://example.com', 'exa mple.com', '10.0.0.0/33', 'fd00::/129', 'bad/8', '*.', '10.0.0.0/x', 'example.com:', 'example.com:0', 'example.com:65536', 'example.com:80a', ':8080', '[::1]:x']) {
        expect(() => compileAllowList([entry])).toThrow(/HTTP_STEP_ALLOWED_HOSTS: invalid entry/);
      }
    });

    it('ignores blank entries', () => {
      expect(compileAllowList(['', '  ']).empty).toBe(true);
    });
  });

  describe('matchesAllowList', () => {
    const list = compileAllowList(['api.example.com', '*.example.org', '203.0.113.7', '198.51.100.0/24', '2001:db8::/32']);

    it('matches hostnames exactly and case-insensitively', () => {
      expect(matchesAllowList('api.example.com', list)).toBe(true);
      expect(matchesAllowList('other.example.com', list)).toBe(false);
      expect(matchesAllowList('api.example.com.evil.net', list)).toBe(false);
    });

    it('matches wildcard subdomains only', () => {
      expect(matchesAllowList('a.example.org', list)).toBe(true);
      expect(matchesAllowList('a.b.example.org', list)).toBe(true);
      expect(matchesAllowList('example.org', list)).toBe(false);
      expect(matchesAllowList('badexample.org', list)).toBe(false);
    });

    it('matches IP literals and IPv4/IPv6 CIDR blocks', () => {
      expect(matchesAllowList('203.0.113.7', list)).toBe(true);
      expect(matchesAllowList('203.0.113.8', list)).toBe(false);
      expect(matchesAllowList('198.51.100.42', list)).toBe(true);
      expect(matchesAllowList('198.51.101.1', list)).toBe(false);
      expect(matchesAllowList('2001:db8::abcd', list)).toBe(true);
      expect(matchesAllowList('2001:db9::1', list)).toBe(false);
    });
  });

  describe('isNonPublicAddress', () => {
    it.each([
      '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '127.0.0.1', '127.9.9.9', '169.254.169.254',
      '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255', '::', '::1', 'fc00::1', 'fd12:3456::1',
      'fe80::1', 'fe80::1%eth0', 'ff02::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1',
      '64:ff9b::a00:1',
    ])('refuses %s', (address) => {
      expect(isNonPublicAddress(address)).toBe(true);
    });

    it.each(['8.8.8.8', '93.184.216.34', '172.32.0.1', '100.128.0.1', '2606:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808'])(
      'allows %s',
      (address) => {
        expect(isNonPublicAddress(address)).toBe(false);
      },
    );

    it('extracts the IPv4 address inside mapped and NAT64 addresses', () => {
      expect(embeddedIPv4('::ffff:7f00:1')).toBe('127.0.0.1');
      expect(embeddedIPv4('0:0:0:0:0:ffff:c0a8:0101')).toBe('192.168.1.1');
      expect(embeddedIPv4('64:ff9b::10.0.0.1')).toBe('10.0.0.1');
      expect(embeddedIPv4('2001:db8::1')).toBeNull();
    });

    it('counts an IPv4-mapped address as listed when its IPv4 address is', () => {
      expect(isAddressListed('::ffff:7f00:1', compileAllowList(['127.0.0.0/8']))).toBe(true);
    });
  });

  describe('checkHost', () => {
    it('refuses everything when the allow-list is empty', async () => {
      const check = await checkHost(at('example.com'), compileAllowList([]), resolvesTo('93.184.216.34'));
      expect(check).toEqual({ allowed: false, reason: expect.stringContaining('HTTP_STEP_ALLOWED_HOSTS is empty') });
    });

    it('refuses a host that is not listed without resolving it', async () => {
      const resolve = jest.fn(resolvesTo('93.184.216.34'));
      const check = await checkHost(at('evil.net'), compileAllowList(['example.com']), resolve);
      expect(check).toEqual({ allowed: false, reason: expect.stringContaining('"evil.net" is not on the HTTP_STEP_ALLOWED_HOSTS') });
      expect(resolve).not.toHaveBeenCalled();
    });

    it('allows a listed host with public addresses', async () => {
      const check = await checkHost(at('API.example.com.'), compileAllowList(['api.example.com']), resolvesTo('93.184.216.34', '2606:2800::1'));
      expect(check).toEqual({ allowed: true, addresses: ['93.184.216.34', '2606:2800::1'] });
    });

    it('refuses a wildcard-matched host when any resolved address is private', async () => {
      const check = await checkHost(at('a.example.com'), compileAllowList(['*.example.com']), resolvesTo('93.184.216.34', '10.0.0.5'));
      expect(check).toEqual({ allowed: false, reason: expect.stringContaining('non-public address 10.0.0.5') });
    });

    it('refuses loopback, link-local and mapped addresses behind a listed wildcard', async () => {
      const list = compileAllowList(['*.example.com']);
      for (const address of ['127.0.0.1', '::1', '169.254.169.254', '::ffff:192.168.0.1', 'fd00::1']) {
        expect((await checkHost(at('a.example.com'), list, resolvesTo(address))).allowed).toBe(false);
      }
    });

    it('allows a private address that is listed as an IP or CIDR', async () => {
      const list = compileAllowList(['*.internal.example.com', '10.0.0.0/8']);
      expect((await checkHost(at('db.internal.example.com'), list, resolvesTo('10.1.2.3'))).allowed).toBe(true);
      expect((await checkHost(at('db.internal.example.com'), list, resolvesTo('192.168.1.1'))).allowed).toBe(false);
    });

    it('allows loopback when the hostname itself is listed', async () => {
      const check = await checkHost(at('localhost'), compileAllowList(['localhost']), resolvesTo('127.0.0.1', '::1'));
      expect(check.allowed).toBe(true);
    });

    it('allows listed loopback IP literals and CIDRs without resolving', async () => {
      const resolve = jest.fn(resolvesTo());
      expect((await checkHost(at('127.0.0.1'), compileAllowList(['127.0.0.1']), resolve)).allowed).toBe(true);
      expect((await checkHost(at('127.0.0.2'), compileAllowList(['127.0.0.0/8']), resolve)).allowed).toBe(true);
      expect((await checkHost(at('[::1]'), compileAllowList(['::1']), resolve)).allowed).toBe(true);
      expect(resolve).not.toHaveBeenCalled();
    });

    it('refuses a loopback IP literal that is not listed', async () => {
      const check = await checkHost(at('127.0.0.1'), compileAllowList(['127.0.0.2']), resolvesTo());
      expect(check.allowed).toBe(false);
    });

    it('refuses a host that resolves to nothing', async () => {
      const check = await checkHost(at('example.com'), compileAllowList(['example.com']), resolvesTo());
      expect(check).toEqual({ allowed: false, reason: expect.stringContaining('resolved to no address') });
    });

    it('refuses a redirect target on another port of a listed host', async () => {
      const list = compileAllowList(['api.example.com', '127.0.0.1']);
      const resolve = resolvesTo('93.184.216.34');
      expect((await checkHost(new URL('http://api.example.com/'), list, resolve)).allowed).toBe(true);
      expect((await checkHost(new URL('https://api.example.com/'), list, resolve)).allowed).toBe(true);
      expect((await checkHost(new URL('http://api.example.com:80/'), list, resolve)).allowed).toBe(true);
      for (const url of ['http://api.example.com:8080/', 'http://api.example.com:443/', 'https://api.example.com:80/', 'http://127.0.0.1:6379/', 'http://127.0.0.1:5432/']) {
        const check = await checkHost(new URL(url), list, resolve);
        expect(check).toEqual({ allowed: false, reason: expect.stringMatching(/port \d+ is not on the HTTP_STEP_ALLOWED_HOSTS allow-list/) });
      }
    });
  });

  describe('ports', () => {
    const resolve = resolvesTo('93.184.216.34');

    it('reads host:port, [v6]:port, cidr:port and host:* entries', () => {
      const list = compileAllowList(['api.example.com:8443', 'api.example.com', '*.example.org:8080', '127.0.0.1:3000', '[::1]:3001', '10.0.0.0/8:9000', 'localhost:*']);
      expect(list.hostnames.get('api.example.com')).toEqual([8443, null]);
      expect(list.hostnames.get('localhost')).toEqual(['*']);
      expect(list.wildcards).toEqual([{ suffix: '.example.org', port: 8080 }]);
      expect(matchesAllowList('127.0.0.1', list, 3000)).toBe(true);
      expect(matchesAllowList('127.0.0.1', list, 3001)).toBe(false);
      expect(matchesAllowList('::1', list, 3001)).toBe(true);
      expect(matchesAllowList('10.2.3.4', list, 9000)).toBe(true);
      expect(matchesAllowList('10.2.3.4', list, 80)).toBe(false);
    });

    it('matches an entry with a port on that port only, under either scheme', async () => {
      const list = compileAllowList(['api.example.com:8443']);
      expect((await checkHost(new URL('https://api.example.com:8443/x'), list, resolve)).allowed).toBe(true);
      expect((await checkHost(new URL('http://api.example.com:8443/x'), list, resolve)).allowed).toBe(true);
      expect((await checkHost(new URL('https://api.example.com/x'), list, resolve)).allowed).toBe(false);
      expect((await checkHost(new URL('http://api.example.com/x'), list, resolve)).allowed).toBe(false);
    });

    it('implies 80 for http and 443 for https on an entry without a port', async () => {
      const list = compileAllowList(['api.example.com', '*.example.org', '203.0.113.7']);
      for (const host of ['api.example.com', 'a.example.org', '203.0.113.7']) {
        expect((await checkHost(at(host), list, resolve)).allowed).toBe(true);
        expect((await checkHost(at(host, 'https'), list, resolve)).allowed).toBe(true);
        expect((await checkHost(at(`${host}:8080`), list, resolve)).allowed).toBe(false);
        expect((await checkHost(at(`${host}:443`), list, resolve)).allowed).toBe(false);
      }
    });

    it('lets a listed private address through only on its port', async () => {
      const list = compileAllowList(['*.internal.example.com', '10.0.0.0/8:5000']);
      const internal = resolvesTo('10.1.2.3');
      expect((await checkHost(at('db.internal.example.com'), list, internal)).allowed).toBe(false);
      const onPort = compileAllowList(['*.internal.example.com:5000', '10.0.0.0/8:5000']);
      expect((await checkHost(at('db.internal.example.com:5000'), onPort, internal)).allowed).toBe(true);
      expect((await checkHost(at('db.internal.example.com:5001'), onPort, internal)).allowed).toBe(false);
    });

    it('allows any port with host:*', async () => {
      const list = compileAllowList(['127.0.0.1:*']);
      expect((await checkHost(at('127.0.0.1:1234'), list, resolve)).allowed).toBe(true);
      expect((await checkHost(at('127.0.0.1'), list, resolve)).allowed).toBe(true);
      expect((await checkHost(at('127.0.0.2:1234'), list, resolve)).allowed).toBe(false);
    });
  });
});
