// LLDB's `key:value;` replies (lldbgdbremote.md: qHostInfo, qProcessInfo, qRegisterInfo,
// qMemoryRegionInfo, qGDBServerVersion). Numbers in these replies are decimal unless the
// document says hex, so callers pass hex values as strings already formatted.
import { bigintToHex, textToHex } from '../common/hex.js';
import { error } from './basic.js';
import type { MemoryPermissions } from '../packets/allocate-memory.js';

export type KeyValue = readonly [key: string, value: string | number];

/** `k1:v1;k2:v2;` with numbers in decimal; keys and values must not contain `:` or `;`. */
export function keyValueReply(pairs: readonly KeyValue[]): string {
  return pairs.map(([k, v]) => `${k}:${typeof v === 'number' ? v.toString(10) : v};`).join('');
}

export interface MemoryRegion {
  start: bigint;
  size: bigint;
  /** Undefined for an unmapped gap (then LLDB gets no permissions key). */
  permissions?: MemoryPermissions;
  /** `flags:` after the permissions (lldb-server 16 sends it empty for every mapping). */
  flags?: string;
  /** Mapping name such as a file path or [stack] (sent hex-encoded). */
  name?: string;
  /** `type:` last, such as `stack` for the [stack] mapping. */
  type?: string;
}

/**
 * The reply to qMemoryRegionInfo:
 * `start:<hex>;size:<hex>;permissions:rwx;flags:<flags>;name:<hex>;type:<type>;`.
 */
export function memoryRegionReply(region: MemoryRegion): string {
  const pairs: KeyValue[] = [
    ['start', bigintToHex(region.start)],
    ['size', bigintToHex(region.size)],
  ];
  if (region.permissions) {
    const p = region.permissions;
    pairs.push([
      'permissions',
      (p.read ? 'r' : '') + (p.write ? 'w' : '') + (p.execute ? 'x' : ''),
    ]);
  }
  if (region.flags !== undefined) pairs.push(['flags', region.flags]);
  if (region.name !== undefined) pairs.push(['name', textToHex(region.name)]);
  if (region.type !== undefined) pairs.push(['type', region.type]);
  return keyValueReply(pairs);
}

/** The reply to `_M`: the allocated address as 16 hex digits, like lldb-server's PutHex64. */
export function allocatedAddress(addr: bigint): string {
  return bigintToHex(addr).padStart(16, '0');
}

/** lldb-server's error reply to a failed `_M` or `_m` (`Eff`, from an unconvertible Status). */
export function allocationError(): string {
  return error(0xff);
}

/** The reply to `QSaveRegisterState`: the save id, in decimal as lldb-server prints it. */
export function savedRegisterState(id: number): string {
  return id.toString(10);
}

/**
 * qLaunchSuccess after a failed `A`: `E` and the reason as plain text, lldb-server's form
 * (GDBRemoteCommunicationServerLLGS::Handle_qLaunchSuccess), which LLDB shows as it is.
 */
export function launchFailure(reason: string): string {
  return `E${reason}`;
}

/** What qHostInfo tells (lldb-server's Handle_qHostInfo). */
export interface HostInfo {
  /** uname -r, e.g. `6.1.0-13-amd64`. */
  release: string;
  /** uname -v, e.g. `#1 SMP PREEMPT_DYNAMIC Debian 6.1.55-1`. */
  kernelVersion: string;
  hostname: string;
  /** /etc/os-release ID (lldb-server asks lsb_release -i), lower case; absent if unknown. */
  distributionId?: string;
}

/** `major.minor.patch` taken from the front of the kernel release, as LLDB's HostInfo does. */
export function osVersion(rel: string): string | undefined {
  const m = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(rel);
  if (!m) return undefined;
  return [m[1], m[2], m[3]].filter((x) => x !== undefined).join('.');
}

/** qHostInfo: `key:value;` pairs in lldb-server's order; texts hex-encoded. */
export function hostInfoReply(facts: HostInfo, triple: string): string {
  const kv: KeyValue[] = [
    ['triple', textToHex(triple)],
    ['ptrsize', 8],
  ];
  if (facts.distributionId) kv.push(['distribution_id', textToHex(facts.distributionId)]);
  // x86 reports a watchpoint after the access (lldb-server: "after" everywhere but MIPS/ARM).
  kv.push(['watchpoint_exceptions_received', 'after'], ['endian', 'little']);
  const v = osVersion(facts.release);
  if (v !== undefined) kv.push(['os_version', v]);
  if (facts.release) kv.push(['os_build', textToHex(facts.release)]);
  if (facts.kernelVersion) kv.push(['os_kernel', textToHex(facts.kernelVersion)]);
  if (facts.hostname) kv.push(['hostname', textToHex(facts.hostname)]);
  return keyValueReply(kv);
}

/** What qProcessInfo tells (lldb-server's CreateProcessInfoResponse_DebugServerStyle). */
export interface ProcessInfo {
  pid: number;
  parentPid: number;
  realUid: number;
  realGid: number;
  effectiveUid: number;
  effectiveGid: number;
}

/** Every number in hex, as lldb-server's printf("%x") does. */
export function processInfoReply(p: ProcessInfo, triple: string): string {
  const h = (n: number) => n.toString(16);
  return keyValueReply([
    ['pid', h(p.pid)],
    ['parent-pid', h(p.parentPid)],
    ['real-uid', h(p.realUid)],
    ['real-gid', h(p.realGid)],
    ['effective-uid', h(p.effectiveUid)],
    ['effective-gid', h(p.effectiveGid)],
    ['triple', textToHex(triple)],
    ['ostype', 'linux'],
    ['endian', 'little'],
    ['ptrsize', 8],
  ]);
}

/**
 * qGDBServerVersion (lldbgdbremote.md): lldb-server leaves it unanswered; debugserver sends
 * `name:debugserver;version:<n>;`. We say who we are.
 */
export function serverVersionReply(name: string, versionText: string): string {
  return keyValueReply([
    ['name', name],
    ['version', versionText],
  ]);
}

// qRegisterInfo<n>: keys and their order are lldb-server's (GDBRemoteCommunicationServerLLGS
// Handle_qRegisterInfo).

export type LldbEncoding = 'uint' | 'sint' | 'ieee754' | 'vector';
export type LldbFormat = 'hex' | 'decimal' | 'binary' | 'float' | 'vector-uint8';
export type LldbGeneric =
  | 'pc'
  | 'sp'
  | 'fp'
  | 'ra'
  | 'flags'
  | 'arg1'
  | 'arg2'
  | 'arg3'
  | 'arg4'
  | 'arg5'
  | 'arg6';

export interface LldbRegisterInfo {
  name: string;
  altName?: string;
  bitsize: number;
  offset: number;
  encoding: LldbEncoding;
  format: LldbFormat;
  set: string;
  /** eh_frame and DWARF number (the same on x86-64, as lldb-server reports them). */
  dwarf?: number;
  generic?: LldbGeneric;
  containerRegs?: number[];
  invalidateRegs?: number[];
}

function regList(nums: readonly number[]): string {
  return nums.map((n) => n.toString(16)).join(',');
}

/** One register's `key:value;` description. */
export function formatRegisterInfo(info: LldbRegisterInfo): string {
  const kv: KeyValue[] = [['name', info.name]];
  if (info.altName !== undefined) kv.push(['alt-name', info.altName]);
  kv.push(
    ['bitsize', info.bitsize],
    ['offset', info.offset],
    ['encoding', info.encoding],
    ['format', info.format],
    ['set', info.set],
  );
  if (info.dwarf !== undefined) kv.push(['ehframe', info.dwarf], ['dwarf', info.dwarf]);
  if (info.generic !== undefined) kv.push(['generic', info.generic]);
  if (info.containerRegs?.length) kv.push(['container-regs', regList(info.containerRegs)]);
  if (info.invalidateRegs?.length) kv.push(['invalidate-regs', regList(info.invalidateRegs)]);
  return keyValueReply(kv);
}

/** lldb-server's reply past the last register (and LLDB's signal to stop asking). */
export const NO_MORE_REGISTERS = error(0x45);
