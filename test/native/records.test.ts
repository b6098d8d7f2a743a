// The record codec: command encodings are laid out as ntrace.h says, and event records decode
// to the typed events (records built by hand here, byte by byte).
import test from 'ava';
import fc from 'fast-check';
import { Cmd, Ev, HDR_SIZE } from '../../native/constants.js';
import {
  decodeCaps,
  decodeEvent,
  decodeHeader,
  decodeReply,
  decodeThreadList,
  decodeWaitStatus,
  encodeBp,
  encodeLaunch,
  encodeMem,
  encodeRecord,
  encodeResume,
  splitRecords,
  writeU64,
} from '../../native/records.js';

test('every encoded record is 8-aligned with its length in the header', (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 300 }),
      fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
      (n, seq) => {
        const r = encodeRecord(Cmd.WRITE_MEM, seq, n);
        const h = decodeHeader(r);
        return (
          h.len === r.length && r.length % 8 === 0 && r.length >= HDR_SIZE + n && h.seq === seq
        );
      },
    ),
  );
  t.pass();
});

test('writeU64 writes what writeBigUInt64LE writes, and refuses what it refuses', (t) => {
  const edges = [
    0n,
    1n,
    (1n << 32n) - 1n,
    1n << 32n,
    (1n << 53n) - 1n,
    1n << 53n,
    (1n << 64n) - 1n,
  ];
  const check = (v: bigint) => {
    const a = Buffer.alloc(12, 0xaa);
    const b = Buffer.alloc(12, 0xaa);
    a.writeBigUInt64LE(v, 2);
    writeU64(b, v, 2);
    return a.equals(b);
  };
  for (const v of edges) t.true(check(v), v.toString(16));
  fc.assert(fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), check));
  fc.assert(fc.property(fc.bigInt({ min: 0n, max: 1n << 54n }), check));
  for (const v of [-1n, 1n << 64n]) {
    const code = (f: () => void) => t.throws(f)?.constructor;
    t.is(
      code(() => writeU64(Buffer.alloc(8), v, 0)),
      code(() => Buffer.alloc(8).writeBigUInt64LE(v, 0)),
    );
  }
});

test('splitRecords undoes concatenation and rejects broken frames', (t) => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 64 }), { maxLength: 10 }), (sizes) => {
      const recs = sizes.map((n, i) => encodeRecord(Cmd.HELLO, BigInt(i), n));
      const back = splitRecords(Buffer.concat(recs));
      return back.length === recs.length && back.every((b, i) => b.equals(recs[i]!));
    }),
  );
  const bad = encodeRecord(Cmd.HELLO, 1n, 8);
  bad.writeUInt32LE(12, 0);
  t.throws(() => splitRecords(bad));
  t.throws(() => splitRecords(Buffer.alloc(8)));
});

test('LAUNCH lays out flags, counts and NUL-terminated strings', (t) => {
  const r = encodeLaunch(5n, 3, '/bin/x', '', ['x', 'a b'], ['K=V']);
  t.is(r.readUInt16LE(4), Cmd.LAUNCH);
  t.is(r.readUInt32LE(16), 3);
  t.is(r.readUInt32LE(20), 2);
  t.is(r.readUInt32LE(24), 1);
  const strings = '/bin/x\0\0x\0a b\0K=V\0';
  t.is(r.readUInt32LE(28), strings.length);
  t.is(r.subarray(32, 32 + strings.length).toString('latin1'), strings);
  t.true(r.subarray(32 + strings.length).every((b) => b === 0));
});

test('RESUME, READ_MEM and SET_BP field offsets', (t) => {
  const r = encodeResume(1n, 0x1122n, 0x33n, 2, -1, 0x1000n, 0x2000n);
  t.is(r.length, 56);
  t.is(r.readBigUInt64LE(16), 0x1122n);
  t.is(r.readBigUInt64LE(24), 0x33n);
  t.is(r.readUInt32LE(32), 2);
  t.is(r.readInt32LE(36), -1);
  t.is(r.readBigUInt64LE(40), 0x1000n);
  t.is(r.readBigUInt64LE(48), 0x2000n);
  const m = encodeMem(Cmd.READ_MEM, 2n, 77, 0xdeadn, 64);
  t.is(m.length, 32);
  t.is(m.readInt32LE(16), 77);
  t.is(m.readUInt32LE(20), 64);
  t.is(m.readBigUInt64LE(24), 0xdeadn);
  const b = encodeBp(Cmd.SET_BP, 3n, 9, 2, 0x4000n, 8);
  t.is(b.length, 40);
  t.deepEqual(
    [b.readInt32LE(16), b.readUInt32LE(20), b.readUInt32LE(32), b.readUInt32LE(36)],
    [9, 2, 8, 0],
  );
});

function header(type: number, len: number, seq: bigint): Buffer {
  const b = Buffer.alloc(len);
  b.writeUInt32LE(len, 0);
  b.writeUInt16LE(type, 4);
  b.writeBigUInt64LE(seq, 8);
  return b;
}

test('STOP events decode every field', (t) => {
  const b = header(Ev.STOP, 248, 42n);
  b.writeBigUInt64LE(7n, 16);
  b.writeInt32LE(100, 24);
  b.writeInt32LE(101, 28);
  b.writeBigUInt64LE(9n, 32);
  b.writeUInt32LE(6, 40); // watch
  b.writeInt32LE(5, 44);
  b.writeBigUInt64LE(0x401000n, 48);
  b.writeBigUInt64LE(0x7ffe0000n, 56);
  for (let i = 0; i < 7; i++) b.writeBigUInt64LE(BigInt(i + 1), 64 + i * 8);
  b[120] = 0xab;
  const ev = decodeEvent(b);
  if (ev?.type !== 'stop') return t.fail();
  t.is(ev.seq, 42n);
  t.deepEqual(ev.thread, { handle: 7n, tgid: 100, tid: 101 });
  t.is(ev.stopId, 9n);
  t.is(ev.reason, 'watch');
  t.is(ev.signo, 5);
  t.is(ev.pc, 0x401000n);
  t.is(ev.sp, 0x7ffe0000n);
  t.deepEqual(ev.data, [1n, 2n, 3n, 4n, 5n, 6n, 7n]);
  t.is(ev.siginfo.length, 128);
  t.is(ev.siginfo[0], 0xab);
});

test('a STOP with NTRACE_STOPF_REGS carries the GPR block; without the flag it has none', (t) => {
  const b = header(Ev.STOP, 248 + 216, 3n);
  b.writeUInt16LE(1, 6); // NTRACE_STOPF_REGS
  b.writeUInt32LE(5, 40); // step
  for (let i = 0; i < 27; i++) b.writeBigUInt64LE(BigInt(1000 + i), 248 + i * 8);
  const ev = decodeEvent(b);
  if (ev?.type !== 'stop') return t.fail();
  t.is(ev.reason, 'step');
  t.is(ev.regs?.length, 216);
  t.is(ev.regs?.readBigUInt64LE(128), 1016n, 'rip, word 16 of user_regs_struct');
  t.is(ev.siginfo.length, 128);
  // The same bytes without the flag: a reader skips the tail it was not told about.
  b.writeUInt16LE(0, 6);
  const plain = decodeEvent(b);
  t.is(plain?.type === 'stop' ? plain.regs : null, undefined);
  // A flag on a record too short for the block is not trusted.
  const short = header(Ev.STOP, 248, 4n);
  short.writeUInt16LE(1, 6);
  short.writeUInt32LE(5, 40);
  const s = decodeEvent(short);
  t.is(s?.type === 'stop' ? s.regs : null, undefined);
  t.true(decodeCaps(1n << 18n).stopRegs === true);
});

test('exit, thread, detached and lost events decode; unknown types are skipped', (t) => {
  const p = header(Ev.PROC_EXIT, 40, 1n);
  p.writeInt32LE(55, 24);
  p.writeInt32LE(9, 32); // killed by SIGKILL
  const pe = decodeEvent(p);
  t.deepEqual(pe?.type === 'process-exit' && [pe.pid, pe.exit], [55, { signal: 9 }]);
  const te = header(Ev.THREAD_EXIT, 40, 2n);
  te.writeBigInt64LE(3n << 8n, 32);
  const tx = decodeEvent(te);
  t.deepEqual(tx?.type === 'thread-exit' && tx.code, 3);
  const tn = header(Ev.THREAD_NEW, 40, 3n);
  tn.writeBigInt64LE(12n, 32);
  const nw = decodeEvent(tn);
  t.deepEqual(nw?.type === 'thread-new' && nw.parent, 12n);
  const d = header(Ev.DETACHED, 24, 4n);
  d.writeInt32LE(77, 16);
  d.writeUInt32LE(2, 20);
  t.deepEqual(decodeEvent(d), { type: 'detached', seq: 4n, pid: 77, reason: 'privilege' });
  const l = header(Ev.LOST, 32, 5n);
  l.writeBigUInt64LE(3n, 16);
  l.writeBigUInt64LE(2n, 24);
  t.deepEqual(decodeEvent(l), { type: 'lost', seq: 5n, count: 3n, firstSeq: 2n });
  t.is(decodeEvent(header(0x03ff, 24, 6n)), undefined);
});

test('replies, thread lists, caps and wait statuses', (t) => {
  const r = header(0x0200, 32, 9n);
  r.writeInt32LE(-116, 16);
  r.writeUInt32LE(Cmd.RESUME, 20);
  const rep = decodeReply(r);
  t.deepEqual([rep.seq, rep.error, rep.cmdType, rep.payload.length], [9n, -116, Cmd.RESUME, 8]);
  const list = Buffer.alloc(8 + 32);
  list.writeUInt32LE(1, 0);
  list.writeBigUInt64LE(4n, 8);
  list.writeInt32LE(10, 16);
  list.writeInt32LE(11, 20);
  list.writeBigUInt64LE(6n, 24);
  list.writeUInt32LE(1, 32);
  t.deepEqual(decodeThreadList(list), [
    { handle: 4n, tgid: 10, tid: 11, stopId: 6n, state: 'stopped' },
  ]);
  const caps = decodeCaps((1n << 0n) | (1n << 14n));
  t.true(caps.launch && caps.allStop);
  t.false(caps.swBreak || caps.condBytecode);
  t.deepEqual(decodeWaitStatus(0x0100 * 42), { code: 42 });
  t.deepEqual(decodeWaitStatus(15), { signal: 15 });
});
