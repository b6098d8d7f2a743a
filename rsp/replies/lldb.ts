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
