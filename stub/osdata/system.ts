// System tables of `info os` (cpus, modules, sockets), column for column as gdbserver builds
// them in nat/linux-osdata.c.
import { SocketAddress } from 'node:net';
import type { OsdataItem } from '../../rsp/index.js';
import { idNames, readText } from './proc.js';

/** One item per processor: every `key : value` line of /proc/cpuinfo from its `processor`. */
export function cpus(): OsdataItem[] {
  const items: (readonly [string, string])[][] = [];
  for (const line of (readText('/proc/cpuinfo') ?? '').split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (key === 'processor') items.push([]);
    items[items.length - 1]?.push([key, value]);
  }
  return items;
}

/** /proc/modules: name size uses dependencies status address. */
export function modules(): OsdataItem[] {
  const items: OsdataItem[] = [];
  for (const line of (readText('/proc/modules') ?? '').split('\n')) {
    const f = line.split(' ');
    if (f.length < 6) continue;
    const address = f[5]!.startsWith('0x') ? f[5]!.slice(2) : f[5]!;
    items.push([
      ['name', f[0]!],
      ['size', f[1]!],
      ['num uses', f[2]!],
      ['dependencies', f[3]!],
      ['status', f[4]!],
      ['address', BigInt(`0x${address || '0'}`).toString(16)],
    ]);
  }
  return items;
}

// include/net/tcp_states.h
const TCP_STATES = [
  '(unknown)',
  'ESTABLISHED',
  'SYN_SENT',
  'SYN_RECV',
  'FIN_WAIT1',
  'FIN_WAIT2',
  'TIME_WAIT',
  'CLOSE',
  'CLOSE_WAIT',
  'LAST_ACK',
  'LISTEN',
  'CLOSING',
];

/** An address of /proc/net/{tcp,udp}{,6}: 32-bit words in host (little-endian) byte order. */
export function procNetAddress(hex: string, v6: boolean): string | undefined {
  const bytes = Buffer.alloc(v6 ? 16 : 4);
  for (let w = 0; w < bytes.length / 4; w++) {
    const word = Number.parseInt(hex.slice(w * 8, w * 8 + 8), 16);
    if (Number.isNaN(word)) return undefined;
    bytes.writeUInt32LE(word, w * 4);
  }
  if (!v6) return [...bytes].join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  // SocketAddress prints the canonical text form, as inet_ntop (::1, ::ffff:127.0.0.1).
  return new SocketAddress({ address: groups.join(':'), family: 'ipv6' }).address;
}

function socketsOf(file: string, v6: boolean, tcp: boolean, user: (id: number) => string) {
  const items: OsdataItem[] = [];
  for (const line of (readText(file) ?? '').split('\n').slice(1)) {
    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid ...
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const [localHex, localPort] = f[1]!.split(':');
    const [remoteHex, remotePort] = f[2]!.split(':');
    const local = procNetAddress(localHex ?? '', v6);
    const remote = procNetAddress(remoteHex ?? '', v6);
    if (local === undefined || remote === undefined) continue;
    const state = Number.parseInt(f[3]!, 16);
    items.push([
      ['local address', local],
      ['local port', String(Number.parseInt(localPort ?? '', 16))],
      ['remote address', remote],
      ['remote port', String(Number.parseInt(remotePort ?? '', 16))],
      ['state', TCP_STATES[state] ?? '(unknown)'],
      ['user', user(Number(f[7]))],
      ['family', v6 ? 'INET6' : 'INET'],
      ['protocol', tcp ? 'STREAM' : 'DGRAM'],
    ]);
  }
  return items;
}

/** Internet sockets: TCP then UDP, IPv4 then IPv6, as gdbserver lists them. */
export function sockets(): OsdataItem[] {
  const user = idNames('/etc/passwd');
  return [
    ...socketsOf('/proc/net/tcp', false, true, user),
    ...socketsOf('/proc/net/udp', false, false, user),
    ...socketsOf('/proc/net/tcp6', true, true, user),
    ...socketsOf('/proc/net/udp6', true, false, user),
  ];
}
