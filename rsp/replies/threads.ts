// Thread replies (GDB manual, "General Query Packets"): qC, qfThreadInfo/qsThreadInfo.
import { formatThreadId, type ThreadId, type ThreadIdFormat } from '../common/thread-id.js';

/** `QC thread-id`. */
export function currentThread(id: ThreadId, opts: ThreadIdFormat): string {
  return 'QC' + formatThreadId(id, opts);
}

/** `m id,id,...` for a part of the list, or `l` once the list is exhausted (empty ids). */
/** `l`: the end of the thread list (qfThreadInfo/qsThreadInfo). */
export function threadListEnd(): string {
  return 'l';
}

export function threadListPart(ids: readonly ThreadId[], opts: ThreadIdFormat): string {
  if (ids.length === 0) return 'l';
  return 'm' + ids.map((id) => formatThreadId(id, opts)).join(',');
}
