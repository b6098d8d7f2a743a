// `vFile:operation:parameter...` (GDB manual, "Host I/O Packets"): one packet family, parsed
// here as a whole. Numbers are hex, file names hex-encoded, pwrite data binary (unescaped by the
// framer). LLDB adds size, mode and exists (lldbgdbremote.md, "vFile:size", "vFile:mode",
// "vFile:exists"), in the same syntax since LLDB 14 (reviews.llvm.org D107475).
// Unknown operations (vFile:MD5, vFile:symlink...) come back as 'unknown' so the stub replies
// empty, as the manual asks for unsupported packets.
import type { Result } from '../errors.js';
import {
  latin1Bytes,
  malformed,
  type MalformedCommand,
  parseHexText,
  parseNumber,
} from './fields.js';
import type { UnknownCommand } from './unknown.js';

export type HostIoCommand =
  | { kind: 'file-open'; path: string; flags: number; mode: number }
  | { kind: 'file-close'; fd: number }
  | { kind: 'file-pread'; fd: number; count: number; offset: number }
  | { kind: 'file-pwrite'; fd: number; offset: number; data: Buffer }
  | { kind: 'file-fstat'; fd: number }
  | { kind: 'file-unlink'; path: string }
  | { kind: 'file-readlink'; path: string }
  /** pid 0 means the stub's own filesystem view. */
  | { kind: 'file-setfs'; pid: number }
  | { kind: 'file-size'; path: string }
  | { kind: 'file-mode'; path: string }
  | { kind: 'file-exists'; path: string };

/** Splits `n` comma-separated fields; the last takes the rest (it may be binary with commas). */
function fields(text: string, n: number): string[] | undefined {
  const out: string[] = [];
  let pos = 0;
  for (let i = 0; i < n - 1; i++) {
    const comma = text.indexOf(',', pos);
    if (comma < 0) return undefined;
    out.push(text.slice(pos, comma));
    pos = comma + 1;
  }
  out.push(text.slice(pos));
  return out;
}

function numbers(packet: string, args: string, names: string[]): number[] | MalformedCommand {
  const f = args.split(',');
  if (f.length !== names.length) return malformed(packet, `expected ${names.join(',')}`);
  const out: number[] = [];
  for (let i = 0; i < f.length; i++) {
    const r = parseNumber(f[i]!, names[i]!);
    if (!r.ok) return malformed(packet, r.error);
    out.push(r.value);
  }
  return out;
}

function pathOp<
  K extends 'file-unlink' | 'file-readlink' | 'file-size' | 'file-mode' | 'file-exists',
>(packet: string, kind: K, args: string): { kind: K; path: string } | MalformedCommand {
  const path: Result<string> = parseHexText(args, 'file name');
  if (!path.ok) return malformed(packet, path.error);
  if (path.value === '') return malformed(packet, 'empty file name');
  return { kind, path: path.value };
}

export function parseHostIo(packet: string): HostIoCommand | MalformedCommand | UnknownCommand {
  const rest = packet.slice('vFile:'.length);
  const colon = rest.indexOf(':');
  if (colon < 0) return { kind: 'unknown', packet };
  const op = rest.slice(0, colon);
  const args = rest.slice(colon + 1);
  switch (op) {
    case 'open': {
      const f = fields(args, 3);
      if (!f) return malformed(packet, 'expected filename,flags,mode');
      const path = parseHexText(f[0]!, 'file name');
      if (!path.ok) return malformed(packet, path.error);
      const nums = numbers(packet, `${f[1]},${f[2]}`, ['flags', 'mode']);
      if (!Array.isArray(nums)) return nums;
      return { kind: 'file-open', path: path.value, flags: nums[0]!, mode: nums[1]! };
    }
    case 'close':
    case 'fstat': {
      const nums = numbers(packet, args, ['fd']);
      if (!Array.isArray(nums)) return nums;
      return { kind: op === 'close' ? 'file-close' : 'file-fstat', fd: nums[0]! };
    }
    case 'pread': {
      const nums = numbers(packet, args, ['fd', 'count', 'offset']);
      if (!Array.isArray(nums)) return nums;
      return { kind: 'file-pread', fd: nums[0]!, count: nums[1]!, offset: nums[2]! };
    }
    case 'pwrite': {
      const f = fields(args, 3);
      if (!f) return malformed(packet, 'expected fd,offset,data');
      const nums = numbers(packet, `${f[0]},${f[1]}`, ['fd', 'offset']);
      if (!Array.isArray(nums)) return nums;
      return { kind: 'file-pwrite', fd: nums[0]!, offset: nums[1]!, data: latin1Bytes(f[2]!) };
    }
    case 'setfs': {
      const nums = numbers(packet, args, ['pid']);
      if (!Array.isArray(nums)) return nums;
      return { kind: 'file-setfs', pid: nums[0]! };
    }
    case 'unlink':
      return pathOp(packet, 'file-unlink', args);
    case 'readlink':
      return pathOp(packet, 'file-readlink', args);
    case 'size':
      return pathOp(packet, 'file-size', args);
    case 'mode':
      return pathOp(packet, 'file-mode', args);
    case 'exists':
      return pathOp(packet, 'file-exists', args);
    default:
      return { kind: 'unknown', packet };
  }
}
