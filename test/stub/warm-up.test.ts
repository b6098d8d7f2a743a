// The warm-up session runs the real packet path: every packet it sends gets a real answer.
import test from 'ava';
import { FIRST_READ } from '../../stub/hostio/read-window.js';
import { CONNECT_AT, connectPackets, ROUND, warmUp } from '../../stub/warm-up.js';

const HANDSHAKE = 6;

test('warm-up rounds are answered, none with an error, and it ends its session', async (t) => {
  const w = warmUp(20);
  const { packets, errors } = await w.done;
  t.deepEqual(errors, []);
  // The handshake, 20 rounds, and gdb's connect packets after those of CONNECT_AT below 20.
  const runs = CONNECT_AT.filter((u) => u < 20).length;
  t.true(runs > 0);
  t.is(packets, HANDSHAKE + 20 * ROUND + runs * connectPackets().length);
});

test("gdb's connect packets get real answers: host I/O data, library list, auxv", async (t) => {
  const { connectReplies } = await warmUp(CONNECT_AT[0]! + 1).done;
  const sent = connectPackets();
  const answer = (prefix: string): string[] =>
    sent.flatMap((p, i) => (p.startsWith(prefix) ? [connectReplies[i]!] : []));
  // Two reads of our executable asking 64 KiB: F<length>;<data>, a page each (each at a new
  // place: stub/hostio/read-window.ts).
  const preads = answer('vFile:pread:');
  t.is(preads.length, 2);
  for (const r of preads) {
    const m = /^F([0-9a-f]+);/.exec(r);
    t.truthy(m, r.slice(0, 20));
    t.is(Number.parseInt(m![1]!, 16), FIRST_READ);
  }
  t.regex(preads[0]!, /^F[0-9a-f]+;\x7fELF/);
  t.regex(answer('vFile:fstat:')[0]!, /^F40;/);
  // The library list walks the in-memory link_map: the program (main-lm) and one library.
  const libs = answer('qXfer:libraries-svr4:')[0]!;
  t.regex(libs, /main-lm="0x[0-9a-f]+"/);
  t.regex(libs, /<library name="\/lib\/warm-up\.so" lm="0x[0-9a-f]+"/);
  // auxv: l + AT_PHDR, AT_PHNUM, AT_NULL (48 bytes).
  t.is(answer('qXfer:auxv:')[0]!.length, 1 + 48);
  t.is(answer('qXfer:exec-file:')[0], `l${process.execPath}`);
  t.regex(answer('qXfer:features:')[0]!, /^m<\?xml/);
});

test('stop ends the warm-up after the packet in flight', async (t) => {
  const w = warmUp(1_000_000);
  // Stopped before its first packet went out (the client came at once): it sends none.
  const sentAtStop = w.sent();
  await w.stop();
  const { packets, errors } = await w.done;
  t.deepEqual(errors, []);
  t.is(sentAtStop, 0);
  t.is(packets, 0);
});

test('stop in the middle of the rounds ends them', async (t) => {
  const w = warmUp(1_000_000);
  await new Promise((r) => setTimeout(r, 50));
  const sentAtStop = w.sent();
  await w.stop();
  const { packets, errors } = await w.done;
  t.deepEqual(errors, []);
  t.true(packets <= sentAtStop);
  t.true(packets < HANDSHAKE + 1_000_000 * ROUND);
});
