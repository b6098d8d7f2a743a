// qXfer:libraries-svr4:read: the dynamic linker's link_map list, found the way gdbserver's
// linux_qxfer_libraries_svr4 does: auxv AT_PHDR/AT_PHNUM -> PT_PHDR (load bias) and PT_DYNAMIC
// -> DT_DEBUG -> struct r_debug -> r_map, then l_next.
//
//   Elf64_Phdr (56 bytes): +0 p_type(u32) ... +16 p_vaddr(u64)
//   Elf64_Dyn  (16 bytes): +0 d_tag(i64) +8 d_val(u64)
//   r_debug:  +0 r_version(int) +8 r_map +16 r_brk +24 r_state +32 r_ldbase
//   link_map: +0 l_addr +8 l_name +16 l_ld +24 l_next +32 l_prev
// GDB 13 requires lmid (the namespace, named by its r_debug address) on every <library>.
import { librariesSvr4Document, type Svr4Library } from '../../rsp/index.js';
import type { SessionContext } from '../context.js';
import { readInTurn } from './read-memory.js';
import { TargetError } from '../target.js';

const AT_PHDR = 3n;
const AT_PHNUM = 5n;
const PT_DYNAMIC = 2;
const PT_PHDR = 6;
const DT_NULL = 0n;
const DT_DEBUG = 21n;
const MAX_LIBS = 10000;

async function readU64(ctx: SessionContext, addr: bigint): Promise<bigint> {
  const b = await readInTurn(ctx, addr, 8);
  if (b.length < 8) throw new Error(`cannot read 0x${addr.toString(16)}`);
  return b.readBigUInt64LE();
}

async function readCString(ctx: SessionContext, addr: bigint): Promise<string> {
  const parts: Buffer[] = [];
  for (let off = 0n; off < 4096n; off += 256n) {
    let chunk: Buffer;
    try {
      chunk = await readInTurn(ctx, addr + off, 256);
    } catch {
      break;
    }
    const nul = chunk.indexOf(0);
    if (nul >= 0) {
      parts.push(chunk.subarray(0, nul));
      break;
    }
    parts.push(chunk);
    if (chunk.length < 256) break;
  }
  return Buffer.concat(parts).toString('utf8');
}

/**
 * The address of the program's DT_DEBUG entry value (where the dynamic linker stores &r_debug),
 * undefined when the program has no dynamic section or it cannot be read.
 */
export async function dtDebugSlot(ctx: SessionContext): Promise<bigint | undefined> {
  const auxv = await ctx.target.processInfo?.auxv();
  if (!auxv) return undefined;
  let phdr = 0n;
  let phnum = 0;
  for (let off = 0; off + 16 <= auxv.length; off += 16) {
    const type = auxv.readBigUInt64LE(off);
    const val = auxv.readBigUInt64LE(off + 8);
    if (type === AT_PHDR) phdr = val;
    else if (type === AT_PHNUM) phnum = Number(val);
  }
  if (phdr === 0n || phnum === 0) return undefined;
  const headers = await readInTurn(ctx, phdr, phnum * 56);
  let bias = 0n;
  let dynamic: bigint | undefined;
  for (let i = 0; (i + 1) * 56 <= headers.length; i++) {
    const type = headers.readUInt32LE(i * 56);
    const vaddr = headers.readBigUInt64LE(i * 56 + 16);
    if (type === PT_PHDR) bias = phdr - vaddr;
    else if (type === PT_DYNAMIC) dynamic = vaddr;
  }
  if (dynamic === undefined) return undefined;
  const dyn = dynamic + bias;
  // DT_DEBUG sits a few dozen entries in: read the section in blocks, not entry by entry (each
  // read is an engine round trip).
  for (let i = 0; i < 1024; ) {
    const block = await readInTurn(ctx, dyn + BigInt(i) * 16n, DYN_BLOCK * 16);
    if (block.length < 16) return undefined;
    for (let off = 0; off + 16 <= block.length; off += 16, i++) {
      const tag = block.readBigInt64LE(off);
      if (tag === DT_NULL) return undefined;
      if (tag === DT_DEBUG) return dyn + BigInt(i) * 16n + 8n;
    }
  }
  return undefined;
}

const DYN_BLOCK = 64;

/** DT_DEBUG's slot, kept per process image (ctx.svr4Slot: an exec changes the auxv). */
async function cachedSlot(ctx: SessionContext): Promise<bigint | undefined> {
  const auxv = await ctx.target.processInfo?.auxv();
  const hit = ctx.svr4Slot;
  if (auxv && hit?.auxv.equals(auxv)) return hit.slot;
  const slot = await dtDebugSlot(ctx);
  if (auxv && slot !== undefined) ctx.svr4Slot = { auxv, slot };
  return slot;
}

/**
 * The address of r_debug, 0n when the dynamic linker has not filled DT_DEBUG yet. A program with
 * no DT_DEBUG (ld.so run as the program, a static executable) is an error, E01, as gdbserver
 * answers (get_r_debug): gdb then finds the libraries itself, through ld.so's _r_debug.
 */
async function rDebug(ctx: SessionContext): Promise<bigint> {
  const slot = await cachedSlot(ctx).catch(() => undefined);
  if (slot === undefined) throw new TargetError('no DT_DEBUG in the program', 1);
  return readU64(ctx, slot).catch(() => 0n);
}

export async function librariesSvr4(ctx: SessionContext): Promise<string> {
  const rdebug = await rDebug(ctx);
  if (rdebug === 0n) return librariesSvr4Document(undefined, []);
  let lm = await readU64(ctx, rdebug + 8n);
  let mainLm: bigint | undefined;
  const libraries: Svr4Library[] = [];
  let prev = 0n;
  for (let n = 0; lm !== 0n && n < MAX_LIBS; n++) {
    const l = await readInTurn(ctx, lm, 40);
    if (l.length < 40) break;
    const lAddr = l.readBigUInt64LE(0);
    const lName = l.readBigUInt64LE(8);
    const lLd = l.readBigUInt64LE(16);
    const lNext = l.readBigUInt64LE(24);
    const lPrev = l.readBigUInt64LE(32);
    if (lPrev !== prev) break; // a corrupt or changing list: stop rather than loop
    if (mainLm === undefined) {
      // The first entry is the main program (gdbserver skips it and names it main-lm).
      mainLm = lm;
    } else {
      const name = lName === 0n ? '' : await readCString(ctx, lName);
      if (name !== '') libraries.push({ name, lm, lAddr, lLd, lmid: rdebug });
    }
    prev = lm;
    lm = lNext;
  }
  return librariesSvr4Document(mainLm, libraries);
}
