import { describe, expect, it } from 'vitest';
import { clientIp, normalizeAddress } from './client-ip';

const SOCKET = '10.0.0.2'; // the proxy (or, with no proxy, the client) Optare's socket sees

describe('clientIp with OPTARE_TRUST_PROXY=0', () => {
  it('is the socket address, whatever X-Forwarded-For says', () => {
    expect(clientIp(SOCKET, undefined, 0)).toBe(SOCKET);
    expect(clientIp(SOCKET, '203.0.113.7', 0)).toBe(SOCKET);
    expect(clientIp(SOCKET, ['203.0.113.7', '198.51.100.1'], 0)).toBe(SOCKET);
  });

  it('normalizes the socket address: IPv4-mapped IPv6 as IPv4, unknown when the socket has none', () => {
    expect(clientIp('::ffff:127.0.0.1', undefined, 0)).toBe('127.0.0.1');
    expect(clientIp('::1', undefined, 0)).toBe('::1');
    expect(clientIp(undefined, '203.0.113.7', 0)).toBe('unknown');
    expect(clientIp('fe80::1%eth0', undefined, 0)).toBe('fe80::1%eth0');
  });
});

describe('clientIp behind one proxy', () => {
  it('is the rightmost X-Forwarded-For entry, the one the proxy appended', () => {
    expect(clientIp(SOCKET, '203.0.113.7', 1)).toBe('203.0.113.7');
    expect(clientIp(SOCKET, ' 203.0.113.7 ', 1)).toBe('203.0.113.7');
  });

  it('ignores entries a client put to the left of it (a spoofed leftmost address never wins)', () => {
    expect(clientIp(SOCKET, '1.1.1.1, 203.0.113.7', 1)).toBe('203.0.113.7');
    expect(clientIp(SOCKET, '1.1.1.1,2.2.2.2,  3.3.3.3 ,203.0.113.7', 1)).toBe('203.0.113.7');
    expect(clientIp(SOCKET, 'garbage, <script>, , 203.0.113.7', 1)).toBe('203.0.113.7');
  });

  it('joins repeated X-Forwarded-For headers in order: a client-sent first header cannot win', () => {
    expect(clientIp(SOCKET, ['1.1.1.1', '203.0.113.7'], 1)).toBe('203.0.113.7');
    expect(clientIp(SOCKET, ['1.1.1.1, 2.2.2.2', '203.0.113.7'], 1)).toBe('203.0.113.7');
  });

  it('falls back to the socket address when the entry is missing, empty or not an address', () => {
    expect(clientIp(SOCKET, undefined, 1)).toBe(SOCKET);
    expect(clientIp(SOCKET, '', 1)).toBe(SOCKET);
    expect(clientIp(SOCKET, '203.0.113.7, ', 1)).toBe(SOCKET);
    expect(clientIp(SOCKET, '203.0.113.7, unknown', 1)).toBe(SOCKET);
    expect(clientIp(SOCKET, '203.0.113.7, 300.1.1.1', 1)).toBe(SOCKET);
    expect(clientIp(SOCKET, '203.0.113.7, 1.2.3', 1)).toBe(SOCKET);
    expect(clientIp(SOCKET, '203.0.113.7, _hidden', 1)).toBe(SOCKET);
    expect(clientIp(SOCKET, `203.0.113.7, ${'1'.repeat(100)}`, 1)).toBe(SOCKET);
    expect(clientIp(SOCKET, '203.0.113.7, 1.2.3.4;drop table', 1)).toBe(SOCKET);
  });

  it('accepts IPv6, with or without brackets and port, in canonical form', () => {
    expect(clientIp(SOCKET, '2001:db8::1', 1)).toBe('2001:db8::1');
    expect(clientIp(SOCKET, '2001:DB8:0:0:0:0:0:1', 1)).toBe('2001:db8::1');
    expect(clientIp(SOCKET, '[2001:db8::1]', 1)).toBe('2001:db8::1');
    expect(clientIp(SOCKET, '[2001:db8::1]:443', 1)).toBe('2001:db8::1');
    expect(clientIp(SOCKET, '::ffff:203.0.113.7', 1)).toBe('203.0.113.7');
    expect(clientIp(SOCKET, '0:0:0:0:0:ffff:cb00:7107', 1)).toBe('203.0.113.7');
  });

  it('strips a port some proxies append to IPv4 addresses', () => {
    expect(clientIp(SOCKET, '203.0.113.7:54321', 1)).toBe('203.0.113.7');
    expect(clientIp(SOCKET, '203.0.113.7:', 1)).toBe(SOCKET);
    expect(clientIp(SOCKET, '203.0.113.7:123456', 1)).toBe(SOCKET);
  });

  it('refuses IPv6 zone ids and unbracketed IPv6 with a port-like suffix that is not an address', () => {
    expect(clientIp(SOCKET, 'fe80::1%eth0', 1)).toBe(SOCKET);
    expect(clientIp(SOCKET, '[fe80::1%25eth0]:80', 1)).toBe(SOCKET);
    expect(clientIp(SOCKET, '[203.0.113.7]:80', 1)).toBe(SOCKET);
    expect(clientIp(SOCKET, '2001:db8::1:99999', 1)).toBe(SOCKET);
  });
});

describe('clientIp behind two proxies', () => {
  it('is the second entry from the right: the address the outer proxy saw', () => {
    expect(clientIp(SOCKET, '203.0.113.7, 10.0.0.1', 2)).toBe('203.0.113.7');
    expect(clientIp(SOCKET, '6.6.6.6, 203.0.113.7, 10.0.0.1', 2)).toBe('203.0.113.7');
  });

  it('falls back to the socket when there are fewer entries than proxies (the client cannot fill the gap)', () => {
    expect(clientIp(SOCKET, '203.0.113.7', 2)).toBe(SOCKET);
    expect(clientIp(SOCKET, ['203.0.113.7'], 3)).toBe(SOCKET);
  });

  it('falls back to the socket when an entry a trusted proxy wrote is not an address', () => {
    expect(clientIp(SOCKET, '203.0.113.7, garbage', 2)).toBe(SOCKET);
    expect(clientIp(SOCKET, 'garbage, 10.0.0.1', 2)).toBe(SOCKET);
  });
});

describe('normalizeAddress', () => {
  it('keeps IPv4 as written, and refuses leading zeros (octal look-alikes)', () => {
    expect(normalizeAddress('192.0.2.1')).toBe('192.0.2.1');
    expect(normalizeAddress('0192.0.2.1')).toBeNull();
    expect(normalizeAddress('')).toBeNull();
  });
});
