// qGetTLSAddr:thread,offset,lm (GDB manual, "General Query Packets"): where one thread's copy of
// a thread-local variable lives. gdb 13 has no TLS support of its own for remote targets; it asks
// the server, and gdbserver asks libthread_db (td_thr_tls_get_addr). This makes the same walk
// over glibc's x86-64 structures (nptl_db/td_thr_tlsbase.c):
//   tp    = fs_base: the thread's TCB, which starts struct pthread (tcbhead_t, an ABI: compilers
//           address TLS through %fs);
//   dtv   = *(tp + 8) (tcbhead_t.dtv), an array of 16-byte dtv_t {pointer val, to_free};
//           dtv[-1].counter is its number of module slots;
//   modid = lm->l_tls_modid, or 1 (the program itself) when lm is 0, as gdbserver does for a
//           static executable, which has no link_map;
//   addr  = dtv[modid].val + offset. A block not allocated yet (a dlopen'd module the thread
//           has not touched) holds TLS_DTV_UNALLOCATED, an odd value.
// l_tls_modid's offset in struct link_map is private to each glibc build; libc publishes it as
// the descriptor `_thread_db_link_map_l_tls_modid` (uint32 {bits, count, offset}), which is
// looked up the way libthread_db looks its symbols up through gdbserver: qSymbol.
import { addressReply, symbolLookup } from '../../rsp/replies/hex.js';
import {
  errnoOf,
  errorReply,
  type HandlerResult,
  OK,
  reply,
  type SessionContext,
} from '../context.js';
import { type Ptid, TargetError } from '../target.js';
import { readInTurn } from './read-memory.js';

export const TLS_MODID_SYMBOL = '_thread_db_link_map_l_tls_modid';

const FS_BASE_OFFSET = 21 * 8; // user_regs_struct.fs_base
const TCB_DTV_OFFSET = 8n;
const DTV_ENTRY = 16n;
const ENOENT = 2;
const EIO = 5;
/** td_err_e TD_TLSDEFER: the module's block is not allocated in this thread yet. */
const TD_TLSDEFER = 21;

/**
 * qSymbol:: (gdb has new symbols): ask for the descriptor until gdb knows it. qSymbol:value:name
 * (gdb's answer): read the descriptor. Either way the exchange ends with OK once nothing more is
 * wanted (GDB manual, "General Query Packets").
 */
export async function symbolExchange(
  ctx: SessionContext,
  answer?: { name: string; value?: bigint },
): Promise<HandlerResult> {
  if (answer?.name === TLS_MODID_SYMBOL && answer.value !== undefined) {
    try {
      // In the caller's turn where the target can, as the library list reads (readInTurn): gdb
      // answers at connect and at each library event, and a record's round trip cold cost 2-4 ms.
      const desc = await readInTurn(ctx, answer.value, 12);
      if (desc.length === 12 && desc.readUInt32LE(0) === 64)
        ctx.tlsModidOffset = desc.readUInt32LE(8);
    } catch {
      // Unreadable: asked again at gdb's next qSymbol::.
    }
    return OK;
  }
  if (answer === undefined && ctx.tlsModidOffset === undefined) {
    return reply(symbolLookup(TLS_MODID_SYMBOL));
  }
  return OK;
}

async function readU64(ctx: SessionContext, addr: bigint): Promise<bigint> {
  const b = await readInTurn(ctx, addr, 8);
  if (b.length < 8) throw new TargetError('short read', EIO);
  return b.readBigUInt64LE(0);
}

export async function tlsAddress(
  ctx: SessionContext,
  thread: Ptid | undefined,
  offset: bigint,
  linkMap: bigint,
): Promise<HandlerResult> {
  if (!thread) return errorReply(3);
  try {
    let modid = 1n;
    if (linkMap !== 0n) {
      if (ctx.tlsModidOffset === undefined) return errorReply(ENOENT);
      modid = await readU64(ctx, linkMap + BigInt(ctx.tlsModidOffset));
    }
    const tp = (await ctx.gpr(thread)).readBigUInt64LE(FS_BASE_OFFSET);
    if (tp === 0n || modid === 0n) return errorReply(TD_TLSDEFER);
    const dtv = await readU64(ctx, tp + TCB_DTV_OFFSET);
    const slots = await readU64(ctx, dtv - DTV_ENTRY);
    if (modid > slots) return errorReply(TD_TLSDEFER);
    const block = await readU64(ctx, dtv + modid * DTV_ENTRY);
    if ((block & 1n) !== 0n) return errorReply(TD_TLSDEFER);
    return reply(addressReply(block + offset));
  } catch (err) {
    return errorReply(errnoOf(err));
  }
}
