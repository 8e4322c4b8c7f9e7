/**
 * Which IP addresses a fetch may connect to. Checked on the addresses DNS actually returned (the
 * connection uses exactly those, so a name cannot re-resolve elsewhere between check and connect)
 * and on IP literals, which never go through DNS.
 */
import { BlockList, isIP } from 'node:net';
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { ItemErrorCode, OffsampleError } from '../errors.js';

export interface AddressPolicy {
  allowLoopback: boolean;
  allowPrivateAddresses: boolean;
}

function blockList(entries: ReadonlyArray<readonly [string, number, 'ipv4' | 'ipv6']>): BlockList {
  const list = new BlockList();
  for (const [net, prefix, type] of entries) list.addSubnet(net, prefix, type);
  return list;
}

const LOOPBACK = blockList([
  ['127.0.0.0', 8, 'ipv4'],
  ['::1', 128, 'ipv6'],
]);

const PRIVATE = blockList([
  ['10.0.0.0', 8, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'], // carrier-grade NAT
  ['fc00::', 7, 'ipv6'], // unique local
]);

// Never allowed: link-local (where cloud metadata and container credential endpoints live:
// 169.254.169.254, 169.254.170.2, fd00:ec2::254 is covered by a rule of its own below),
// unspecified, multicast, reserved, benchmarking and protocol-assignment ranges.
const NEVER = blockList([
  ['0.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'],
  ['192.0.0.0', 24, 'ipv4'],
  ['198.18.0.0', 15, 'ipv4'],
  ['224.0.0.0', 4, 'ipv4'],
  ['240.0.0.0', 4, 'ipv4'],
  ['::', 128, 'ipv6'],
  ['fe80::', 10, 'ipv6'],
  ['ff00::', 8, 'ipv6'],
  ['fd00:ec2::254', 128, 'ipv6'], // AWS IMDS over IPv6
]);

/** The IPv4 address inside an IPv4-mapped / NAT64 IPv6 address, if there is one. */
function embeddedIpv4(address: string): string | undefined {
  const match = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (match?.[1] !== undefined) return match[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (hex?.[1] !== undefined && hex[2] !== undefined) {
    const hi = parseInt(hex[1], 16);
    const lo = parseInt(hex[2], 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return undefined;
}

/** Why `address` is refused under `policy`, or `undefined` when it may be used. */
export function refusalReason(address: string, policy: AddressPolicy): string | undefined {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 0) return `not an IP address: ${address}`;
  const v4 = family === 6 ? embeddedIpv4(bare) : undefined;
  const [ip, type] = v4 !== undefined ? [v4, 'ipv4' as const] : [bare, family === 4 ? ('ipv4' as const) : ('ipv6' as const)];
  if (NEVER.check(ip, type)) return `${address} is a link-local, metadata or reserved address`;
  if (LOOPBACK.check(ip, type)) {
    return policy.allowLoopback || policy.allowPrivateAddresses ? undefined : `${address} is a loopback address (config.load.allowLoopback is false)`;
  }
  if (PRIVATE.check(ip, type)) {
    return policy.allowPrivateAddresses ? undefined : `${address} is a private address (config.load.allowPrivateAddresses is false)`;
  }
  return undefined;
}

export function assertAddressAllowed(address: string, policy: AddressPolicy, host?: string): void {
  const reason = refusalReason(address, policy);
  if (reason !== undefined) {
    const prefix = host !== undefined && host !== address ? `${host} resolves to ` : '';
    throw new OffsampleError(ItemErrorCode.FORBIDDEN_ADDRESS, `refused: ${prefix}${reason}`);
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http.request / net.connect that resolves as usual and refuses the connection if
 * any returned address is forbidden (a name with one public and one private record is refused).
 */
export function guardedLookup(policy: AddressPolicy) {
  return (hostname: string, options: LookupAllOptions | { all?: boolean; family?: number }, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true } as LookupAllOptions, (err, addresses) => {
      if (err) {
        callback(err, '');
        return;
      }
      for (const entry of addresses) {
        const reason = refusalReason(entry.address, policy);
        if (reason !== undefined) {
          callback(new OffsampleError(ItemErrorCode.FORBIDDEN_ADDRESS, `refused: ${hostname} resolves to ${reason}`) as unknown as NodeJS.ErrnoException, '');
          return;
        }
      }
      const first = addresses[0];
      if (options.all === true) callback(null, addresses);
      else if (first === undefined) callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '');
      else callback(null, first.address, first.family);
    });
  };
}
