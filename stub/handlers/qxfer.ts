// qXfer:<object>:read/write (GDB manual, "General Query Packets", qXfer). Each object's document
// is built at offset 0 and served from the cache for the following chunks, so a document read in
// pieces stays consistent.
import {
  error,
  type ThreadEntry,
  threadsDocument,
  xferChunk,
  xferWritten,
} from '../../rsp/index.js';
import { amd64TargetXml } from '../arch/amd64-tdesc.js';
import { PACKET_SIZE } from '../capabilities.js';
import {
  EMPTY,
  errnoOf,
  errorReply,
  type HandlerResult,
  reply,
  SessionContext,
} from '../context.js';
import { osdataXml } from '../osdata/index.js';
import type { Ptid, Target, ThreadDetails } from '../target.js';
import { formatPtid } from '../threads.js';
import { type Handler, withProcess } from './handler.js';
import { readSome } from './read-memory.js';
import { librariesSvr4 } from './svr4.js';
import { traceframeInfo } from './trace-frame.js';

function threadEntry(ctx: SessionContext, t: Ptid, d: ThreadDetails | undefined): ThreadEntry {
  const id = formatPtid(ctx, t);
  if (d === undefined) return { id };
  const { name, core } = d;
  return {
    id,
    ...(core !== undefined ? { core } : {}),
    ...(name !== undefined ? { name } : {}),
  };
}

/**
 * The thread list document. gdb reads it after every stop (infrun.c, normal_stop): without a
 * promise when the target can tell a thread's details at once (threadDetailsNow).
 */
function threadsXml(ctx: SessionContext): Buffer | Promise<Buffer> {
  const info = ctx.target.threadInfo;
  const threads = ctx.target.base.threads();
  if (info?.threadDetailsNow || !info) {
    const entries: ThreadEntry[] = [];
    for (const t of threads) entries.push(threadEntry(ctx, t, info?.threadDetailsNow?.(t)));
    return Buffer.from(threadsDocument(entries));
  }
  return (async () => {
    const entries: ThreadEntry[] = [];
    for (const t of threads) entries.push(threadEntry(ctx, t, await info.threadDetails(t)));
    return Buffer.from(threadsDocument(entries));
  })();
}

/**
 * Builds the whole document for object/annex, or undefined when the object is unknown; a
 * promise only for what must be waited for.
 */
function buildDocument(
  ctx: SessionContext,
  object: string,
  annex: string,
): Buffer | undefined | Promise<Buffer | undefined> {
  const t = ctx.target;
  switch (object) {
    case 'features':
      if (annex !== 'target.xml') throw Object.assign(new Error('no such annex'), { errno: 0 });
      return Buffer.from(amd64TargetXml(ctx.layout));
    case 'auxv':
      return t.processInfo ? t.processInfo.auxv() : undefined;
    case 'exec-file':
      return t.processInfo ? t.processInfo.execFile().then((f) => Buffer.from(f)) : undefined;
    case 'threads':
      return threadsXml(ctx);
    case 'libraries-svr4':
      return t.processInfo ? librariesSvr4(ctx).then((x) => Buffer.from(x)) : undefined;
    case 'siginfo':
      return t.signals ? t.signals.readSiginfo(ctx.currentThread()) : undefined;
    case 'osdata':
      return Buffer.from(osdataXml(annex));
    default:
      return undefined;
  }
}

export function xferRead(
  ctx: SessionContext,
  object: string,
  annex: string,
  offset: number,
  length: number,
): HandlerResult | Promise<HandlerResult> {
  return readWindow(ctx.xferCache, `${object}:${annex}`, offset, length, () =>
    buildDocument(ctx, object, annex),
  );
}

/** qXfer:osdata:read with no process under control (the document describes the machine). */
export function osdataRead(
  cache: Map<string, Buffer>,
  annex: string,
  offset: number,
  length: number,
): HandlerResult | Promise<HandlerResult> {
  return readWindow(cache, `osdata:${annex}`, offset, length, () => Buffer.from(osdataXml(annex)));
}

/**
 * One window of a document built at offset 0 and kept in `cache` for the following chunks;
 * answered at once when the document is (no promise for the thread list gdb reads per stop).
 */
function readWindow(
  cache: Map<string, Buffer>,
  key: string,
  offset: number,
  length: number,
  build: () => Buffer | undefined | Promise<Buffer | undefined>,
): HandlerResult | Promise<HandlerResult> {
  const doc = cache.get(key);
  if (offset !== 0 && doc !== undefined) return reply(xferChunk(doc, offset, length));
  let built: Buffer | undefined | Promise<Buffer | undefined>;
  try {
    built = build();
  } catch (err) {
    return buildFailed(err);
  }
  if (built instanceof Promise)
    return built.then((d) => firstWindow(cache, key, d, offset, length), buildFailed);
  return firstWindow(cache, key, built, offset, length);
}

function firstWindow(
  cache: Map<string, Buffer>,
  key: string,
  doc: Buffer | undefined,
  offset: number,
  length: number,
): HandlerResult {
  if (doc === undefined) return EMPTY;
  cache.set(key, doc);
  return reply(xferChunk(doc, offset, length));
}

/** An unknown annex is E00 as in gdbserver; anything else carries its errno. */
function buildFailed(err: unknown): HandlerResult {
  if ((err as { errno?: number }).errno === 0) return reply(error(0));
  return errorReply(errnoOf(err));
}

/** qXfer:siginfo:write: the only writable object. */
export async function xferWrite(
  ctx: SessionContext,
  object: string,
  offset: number,
  data: Buffer,
): Promise<HandlerResult> {
  const sig = ctx.target.signals;
  if (object !== 'siginfo' || !sig?.writeSiginfo) return EMPTY;
  try {
    const thread = ctx.currentThread();
    const cur = await sig.readSiginfo(thread);
    if (offset >= cur.length) return errorReply(22);
    const n = Math.min(data.length, cur.length - offset);
    data.copy(cur, offset, 0, n);
    await sig.writeSiginfo(thread, cur);
    ctx.xferCache.delete('siginfo:');
    return reply(xferWritten(n));
  } catch (err) {
    return errorReply(errnoOf(err));
  }
}

export { readSome };

export const xferReadHandler: Handler<'xfer-read'> = withProcess(
  (s, cmd, ctx) =>
    cmd.object === 'traceframe-info'
      ? traceframeInfo(s, cmd.offset, Math.min(cmd.length, PACKET_SIZE - 1))
      : xferRead(ctx, cmd.object, cmd.annex, cmd.offset, Math.min(cmd.length, PACKET_SIZE - 1)),
  (s, cmd) => {
    // GDB gets no description before a process exists (gdbserver: `if (!target_running ())
    // return -1`), so `set architecture i386` stays possible; LLDB asks for it to launch.
    if (cmd.object === 'features' && cmd.annex === 'target.xml' && s.client?.flavour === 'lldb') {
      const tmp = new SessionContext({
        base: { registers: { xstateSize: 0, xcr0: 0n } } as unknown as Target['base'],
      });
      return xferRead(tmp, cmd.object, cmd.annex, cmd.offset, cmd.length);
    }
    if (cmd.object === 'osdata')
      return osdataRead(s.osdataCache, cmd.annex, cmd.offset, cmd.length);
    // Announced in qSupported, so an empty reply would read as "unsupported after all" (GDB
    // then stops with "conflicting enabled responses"): an error, as gdbserver answers.
    return errorReply(1);
  },
);

export const xferWriteHandler: Handler<'xfer-write'> = withProcess((_s, cmd, ctx) =>
  xferWrite(ctx, cmd.object, cmd.offset, cmd.data),
);
