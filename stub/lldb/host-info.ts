// qHostInfo and qProcessInfo (lldbgdbremote.md), formatted like lldb-server
// (GDBRemoteCommunicationServerCommon Handle_qHostInfo, CreateProcessInfoResponse_DebugServerStyle).
// The facts are gathered by the read* functions and formatted by the pure *Reply functions, so
// tests can pin the format without depending on the machine.
import { readFile } from 'node:fs/promises';
import { hostname, release, version } from 'node:os';
import { type KeyValue, keyValueReply, textToHex } from '../../rsp/index.js';

export const TRIPLE = 'x86_64-pc-linux-gnu';

export interface HostFacts {
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

export function hostInfoReply(facts: HostFacts): string {
  const kv: KeyValue[] = [
    ['triple', textToHex(TRIPLE)],
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

/** The ID= line of an os-release file, unquoted and lower-cased (lsb_release -i style). */
export function parseOsReleaseId(text: string): string | undefined {
  const m = /^ID=(.*)$/m.exec(text);
  if (!m) return undefined;
  const id = m[1]!.trim().replace(/^["']|["']$/g, '');
  return id === '' ? undefined : id.toLowerCase().replace(/\s+/g, '_');
}

export async function readHostFacts(): Promise<HostFacts> {
  let distributionId: string | undefined;
  try {
    distributionId = parseOsReleaseId(await readFile('/etc/os-release', 'utf8'));
  } catch {
    distributionId = undefined;
  }
  return {
    release: release(),
    kernelVersion: version(),
    hostname: hostname(),
    ...(distributionId ? { distributionId } : {}),
  };
}

export interface ProcessFacts {
  pid: number;
  parentPid: number;
  realUid: number;
  realGid: number;
  effectiveUid: number;
  effectiveGid: number;
}

/** pid, ppid and ids from the text of /proc/<pid>/status. */
export function parseProcStatus(pid: number, status: string): ProcessFacts {
  const field = (name: string): number[] => {
    const m = new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(status);
    if (!m) throw new Error(`/proc/${pid}/status has no ${name} line`);
    return m[1]!.trim().split(/\s+/).map(Number);
  };
  const [ppid] = field('PPid');
  const uids = field('Uid');
  const gids = field('Gid');
  return {
    pid,
    parentPid: ppid!,
    realUid: uids[0]!,
    effectiveUid: uids[1]!,
    realGid: gids[0]!,
    effectiveGid: gids[1]!,
  };
}

export async function readProcessFacts(
  pid: number,
  read: (path: string) => Promise<string> = (p) => readFile(p, 'utf8'),
): Promise<ProcessFacts> {
  return parseProcStatus(pid, await read(`/proc/${pid}/status`));
}

/** Every number in hex, as lldb-server's printf("%x") does. */
export function processInfoReply(p: ProcessFacts): string {
  const h = (n: number) => n.toString(16);
  return keyValueReply([
    ['pid', h(p.pid)],
    ['parent-pid', h(p.parentPid)],
    ['real-uid', h(p.realUid)],
    ['real-gid', h(p.realGid)],
    ['effective-uid', h(p.effectiveUid)],
    ['effective-gid', h(p.effectiveGid)],
    ['triple', textToHex(TRIPLE)],
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
