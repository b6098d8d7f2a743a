// qHostInfo and qProcessInfo (lldbgdbremote.md): the facts of this host and its processes,
// gathered by the read* functions; rsp/replies/lldb.ts formats them as lldb-server does
// (GDBRemoteCommunicationServerCommon Handle_qHostInfo, CreateProcessInfoResponse_DebugServerStyle),
// so tests can pin the format without depending on the machine.
import { readFile } from 'node:fs/promises';
import { hostname, release, version } from 'node:os';
import {
  type HostInfo,
  hostInfoReply as formatHostInfo,
  osVersion,
  type ProcessInfo,
  processInfoReply as formatProcessInfo,
  serverVersionReply,
} from '../../rsp/replies/lldb.js';

export { osVersion, serverVersionReply };
export type HostFacts = HostInfo;
export type ProcessFacts = ProcessInfo;

export const TRIPLE = 'x86_64-pc-linux-gnu';

/** qHostInfo for this host (formatted by rsp/replies/lldb.ts). */
export function hostInfoReply(facts: HostFacts): string {
  return formatHostInfo(facts, TRIPLE);
}

/** qProcessInfo for a process of this host (formatted by rsp/replies/lldb.ts). */
export function processInfoReply(p: ProcessFacts): string {
  return formatProcessInfo(p, TRIPLE);
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
