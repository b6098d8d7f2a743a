// qMemoryRegionInfo[:<addr>] (lldbgdbremote.md) from /proc/<pid>/maps, answered the way
// lldb-server 16 answers on Linux (NativeProcessLinux::GetMemoryRegionInfo):
//   mapped:   start:<hex>;size:<hex>;permissions:rwx;flags:;name:<hex path>;   (type:stack; too)
//   gap:      start:<addr>;size:<bytes up to the next mapping>;   (start is the queried address)
//   past all: start:<addr>;size:<2^64-1 - addr>;
// `permissions` is omitted for a ---p mapping and `name` for an anonymous one. `type:stack` for
// [stack] is an addition LLDB's client understands (it marks stack memory) but lldb-server omits.
import { readFile } from 'node:fs/promises';
import { ok } from '../../rsp/replies/basic.js';
import {
  type MemoryRegion,
  memoryRegionReply as formatMemoryRegion,
} from '../../rsp/replies/lldb.js';

export interface MapsEntry {
  start: bigint;
  end: bigint;
  read: boolean;
  write: boolean;
  execute: boolean;
  shared: boolean;
  /** Path or [heap]/[stack]/[vdso]...; '' for anonymous memory. */
  name: string;
}

const LINE = /^([0-9a-f]+)-([0-9a-f]+)\s+([r-])([w-])([x-])([ps])\s+\S+\s+\S+\s+\d+\s*(.*)$/;

/** The entries of a /proc/<pid>/maps text, in address order; malformed lines are skipped. */
export function parseMaps(text: string): MapsEntry[] {
  const out: MapsEntry[] = [];
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    out.push({
      start: BigInt(`0x${m[1]}`),
      end: BigInt(`0x${m[2]}`),
      read: m[3] === 'r',
      write: m[4] === 'w',
      execute: m[5] === 'x',
      shared: m[6] === 's',
      name: m[7]!.trimEnd(),
    });
  }
  return out.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
}

export function readMaps(pid: number): Promise<MapsEntry[]> {
  return readFile(`/proc/${pid}/maps`, 'utf8').then(parseMaps);
}

const MAX_ADDR = (1n << 64n) - 1n;

export interface RegionOptions {
  /** Add `type:stack;` for [stack] mappings (default true). */
  stackType?: boolean;
}

/** The region `addr` falls in, as lldb-server 16 describes it, given the process's mappings. */
export function memoryRegionAt(
  maps: readonly MapsEntry[],
  addr: bigint,
  opts: RegionOptions = {},
): MemoryRegion {
  for (const e of maps) {
    if (addr < e.start) return { start: addr, size: e.start - addr };
    if (addr >= e.end) continue;
    const region: MemoryRegion = { start: e.start, size: e.end - e.start, flags: '' };
    if (e.read || e.write || e.execute) {
      region.permissions = { read: e.read, write: e.write, execute: e.execute };
    }
    if (e.name !== '') region.name = e.name;
    if ((opts.stackType ?? true) && e.name === '[stack]') region.type = 'stack';
    return region;
  }
  return { start: addr, size: MAX_ADDR - addr };
}

/** The reply to `qMemoryRegionInfo:<addr>` (formatted by rsp/replies/lldb.ts). */
export function memoryRegionReply(
  maps: readonly MapsEntry[],
  addr: bigint,
  opts: RegionOptions = {},
): string {
  return formatMemoryRegion(memoryRegionAt(maps, addr, opts));
}

/** `qMemoryRegionInfo` with no address asks whether the packet is supported. */
export const MEMORY_REGION_INFO_SUPPORTED = ok();
