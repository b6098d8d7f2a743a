// Shared pieces of the Host I/O tests: a private temporary directory per test, commands built
// the way the parser builds them, and replies split back into their parts.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { decodeBody, type HostIoCommand } from '../../../rsp/index.js';
import type { HostIoReply } from '../../../stub/handlers/host-io.js';

/** File-I/O open flags (GDB manual, "Open Flags"). */
export const O = {
  RDONLY: 0,
  WRONLY: 1,
  RDWR: 2,
  APPEND: 8,
  CREAT: 0x200,
  TRUNC: 0x400,
  EXCL: 0x800,
};

export async function tempDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hostio-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export const openCmd = (path: string, flags = O.RDONLY, mode = 0): HostIoCommand => ({
  kind: 'file-open',
  path,
  flags,
  mode,
});
export const pread = (fd: number, count: number, offset: number): HostIoCommand => ({
  kind: 'file-pread',
  fd,
  count,
  offset,
});

/** `F<result>[,<errno>][;<attachment>]` split up; result and errno read as hex. */
export interface ParsedReply {
  result: number;
  errno?: number;
  attachment?: Buffer;
}

/** The reply's body: a framed reply (pread's) unescaped as the client's reader does. */
export function bodyOf(reply: HostIoReply): string | Buffer {
  if (typeof reply === 'string' || Buffer.isBuffer(reply)) return reply;
  const { wire } = reply;
  if (wire[0] !== 0x24 || wire[wire.length - 3] !== 0x23) throw new Error('not a frame');
  const d = decodeBody(wire.subarray(1, wire.length - 3), 1 << 20);
  if (!d.ok) throw new Error('a frame that does not decode');
  return Buffer.from(d.body);
}

export function parseReply(reply: HostIoReply): ParsedReply {
  const body = bodyOf(reply);
  const buf = typeof body === 'string' ? Buffer.from(body, 'latin1') : body;
  const semi = buf.indexOf(0x3b);
  const head = buf.subarray(0, semi < 0 ? buf.length : semi).toString('latin1');
  const m = /^F(-?[0-9a-f]+)(?:,([0-9a-f]+))?$/.exec(head);
  if (!m) throw new Error(`not a Host I/O reply: ${head}`);
  const out: ParsedReply = { result: Number.parseInt(m[1]!, 16) };
  if (m[2] !== undefined) out.errno = Number.parseInt(m[2], 16);
  if (semi >= 0) out.attachment = Buffer.from(buf.subarray(semi + 1));
  return out;
}

/** The fd of a successful open reply. */
export function fdOf(reply: HostIoReply): number {
  const r = parseReply(reply);
  if (r.result < 0) throw new Error(`open failed: ${String(reply)}`);
  return r.result;
}
