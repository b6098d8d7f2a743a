// stub/tracepoints/frames.ts: the bounded buffer, linear and circular, and frame contents.
import test from 'ava';
import { TraceBuffer, TraceFrame } from '../../../stub/tracepoints/frames.js';

function frame(tp: number, bytes: number): TraceFrame {
  const f = new TraceFrame(tp, 0x401000n);
  f.addMemory(0x601000n, Buffer.alloc(bytes, tp));
  return f;
}

test('sizes follow gdbserver: 6-byte header, M 11 + bytes, V 13, R 1 + block', (t) => {
  const f = new TraceFrame(1, 0n);
  t.is(f.size, 6);
  f.addMemory(0x10n, Buffer.alloc(4));
  f.addVariable(2, -1n);
  f.addRegisters(Buffer.alloc(8));
  t.is(f.size, 6 + 15 + 13 + 9);
  t.is(f.serialize().length, f.size);
  // A block longer than 16 bits is split.
  const big = new TraceFrame(1, 0n);
  big.addMemory(0x10n, Buffer.alloc(70000));
  t.deepEqual(
    big.memory.map((m) => [m.addr, m.data.length]),
    [
      [0x10n, 65535],
      [0x10n + 65535n, 70000 - 65535],
    ],
  );
});

test('memory reads come from the first block holding the address', (t) => {
  const f = new TraceFrame(1, 0n);
  f.addMemory(0x100n, Buffer.from([1, 2, 3, 4]));
  f.addMemory(0x104n, Buffer.from([5, 6]));
  t.deepEqual(f.readMemory(0x102n, 4), Buffer.from([3, 4]));
  t.deepEqual(f.readMemory(0x104n, 4), Buffer.from([5, 6]));
  t.is(f.readMemory(0x106n, 1), undefined);
  f.addVariable(3, 7n);
  f.addVariable(3, 8n);
  t.is(f.variable(3), 8n);
  t.is(f.variable(4), undefined);
});

test('a linear buffer refuses what does not fit; a circular one drops its oldest', (t) => {
  const lin = new TraceBuffer(100);
  t.true(lin.add(frame(1, 40)));
  t.false(lin.add(frame(2, 40)));
  t.is(lin.frames.length, 1);
  const circ = new TraceBuffer(100);
  circ.circular = true;
  t.true(circ.add(frame(1, 40)));
  t.true(circ.add(frame(2, 40)));
  t.deepEqual(
    circ.frames.map((f) => f.tracepoint),
    [2],
  );
  t.is(circ.created, 2);
  t.is(circ.used, 57);
  t.false(circ.add(frame(3, 200)), 'larger than the whole buffer');
});

test('searches start after the selected frame; qTBuffer bytes are the frames in order', (t) => {
  const b = new TraceBuffer();
  b.add(frame(1, 1));
  b.add(frame(2, 1));
  b.add(frame(1, 1));
  t.is(b.findAfter(-1, (f) => f.tracepoint === 1)?.number, 0);
  t.is(b.findAfter(0, (f) => f.tracepoint === 1)?.number, 2);
  t.is(
    b.findAfter(2, (f) => f.tracepoint === 1),
    undefined,
  );
  const raw = b.read(0, 1000);
  t.is(raw.length, b.used);
  t.is(raw.readUInt16LE(0), 1);
  t.is(raw.readUInt32LE(2), 12);
  t.is(raw[6], 0x4d);
  t.is(raw.readUInt16LE(18), 2, 'the second frame follows');
});
