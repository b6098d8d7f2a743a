import test from 'ava';
import { SessionContext } from '../../../stub/context.js';
import { librariesSvr4 } from '../../../stub/handlers/svr4.js';
import { TargetError } from '../../../stub/target.js';
import { FakeTarget } from '../../helpers/fake-target.js';

// A miniature process image: auxv -> phdrs (PT_PHDR, PT_DYNAMIC) -> DT_DEBUG -> r_debug ->
// two link_map entries (the main program and one library).
function image(rdebugFilled: boolean) {
  const fake = new FakeTarget();
  const bias = 0x555500000000n;
  const phdrVaddr = 0x40n;
  const dynVaddr = 0x3000n;
  const phdrs = Buffer.alloc(56 * 2);
  phdrs.writeUInt32LE(6, 0); // PT_PHDR
  phdrs.writeBigUInt64LE(phdrVaddr, 16);
  phdrs.writeUInt32LE(2, 56); // PT_DYNAMIC
  phdrs.writeBigUInt64LE(dynVaddr, 56 + 16);
  fake.map(bias + phdrVaddr, phdrs);
  const rdebug = 0x7000n;
  const dyn = Buffer.alloc(16 * 3);
  dyn.writeBigInt64LE(1n, 0); // DT_NEEDED
  dyn.writeBigInt64LE(21n, 16); // DT_DEBUG
  dyn.writeBigUInt64LE(rdebugFilled ? rdebug : 0n, 24);
  fake.map(bias + dynVaddr, dyn);
  const lm1 = 0x8000n;
  const lm2 = 0x8100n;
  const name = 0x9000n;
  const rd = Buffer.alloc(40);
  rd.writeInt32LE(1, 0);
  rd.writeBigUInt64LE(lm1, 8);
  fake.map(rdebug, rd);
  const l1 = Buffer.alloc(40);
  l1.writeBigUInt64LE(lm2, 24);
  fake.map(lm1, l1);
  const l2 = Buffer.alloc(40);
  l2.writeBigUInt64LE(0x7f0000000000n, 0);
  l2.writeBigUInt64LE(name, 8);
  l2.writeBigUInt64LE(0x7f0000003e00n, 16);
  l2.writeBigUInt64LE(lm1, 32);
  fake.map(lm2, l2);
  fake.map(name, Buffer.from('/lib/libe2e&.so\0'));
  const auxv = Buffer.alloc(16 * 3);
  auxv.writeBigUInt64LE(3n, 0);
  auxv.writeBigUInt64LE(bias + phdrVaddr, 8);
  auxv.writeBigUInt64LE(5n, 16);
  auxv.writeBigUInt64LE(2n, 24);
  fake.processInfoOps.auxv = async () => auxv;
  return new SessionContext(fake.asTarget());
}

test('walks r_debug and lists libraries, skipping the main program', async (t) => {
  const xml = await librariesSvr4(image(true));
  t.is(
    xml,
    '<library-list-svr4 version="1.0" main-lm="0x8000">' +
      '<library name="/lib/libe2e&#38;.so" lm="0x8100" l_addr="0x7f0000000000" l_ld="0x7f0000003e00" lmid="0x7000"/>' +
      '</library-list-svr4>',
  );
});

const XML =
  '<library-list-svr4 version="1.0" main-lm="0x8000">' +
  '<library name="/lib/libe2e&#38;.so" lm="0x8100" l_addr="0x7f0000000000" l_ld="0x7f0000003e00" lmid="0x7000"/>' +
  '</library-list-svr4>';

/**
 * Gives the image's target a readMemoryInto (the engine's read in the caller's turn) that reads
 * its regions as readMemory would, or declines every read; returns the reads it was asked.
 */
function withInto(decline: boolean): { ctx: SessionContext; fake: FakeTarget; into: string[] } {
  const ctx = image(true);
  const fake = ctx.target.base as FakeTarget & {
    readMemoryInto?: (addr: number | bigint, length: number, into: Buffer) => number | undefined;
  };
  const into: string[] = [];
  fake.readMemoryInto = (addr, length, buf) => {
    into.push(`${addr.toString(16)} ${length}`);
    if (decline) return undefined;
    let n = 0;
    for (; n < length; n++) {
      const a = BigInt(addr) + BigInt(n);
      const r = fake.regions.find((x) => a >= x.start && a < x.start + BigInt(x.data.length));
      if (r === undefined) break;
      buf[n] = r.data[Number(a - r.start)]!;
    }
    if (n === 0) throw new TargetError('unmapped', 5);
    return n;
  };
  return { ctx, fake, into };
}

const recordReads = (fake: FakeTarget) => fake.calls.filter((c) => c.startsWith('readMemory'));

test("reads in the caller's turn where the target can: no engine record per read", async (t) => {
  const { ctx, fake, into } = withInto(false);
  t.is(await librariesSvr4(ctx), XML);
  // phdrs, the dynamic section, r_debug's slot, r_map, two link_maps, one name.
  t.is(into.length, 7);
  t.deepEqual(recordReads(fake), []);
  // Asked again (gdb does at each library event): the same list, the slot remembered.
  t.is(await librariesSvr4(ctx), XML);
  t.is(into.length, 7 + 5);
  t.deepEqual(recordReads(fake), []);
});

test('a read the target declines in its turn goes the record path', async (t) => {
  const { ctx, fake, into } = withInto(true);
  t.is(await librariesSvr4(ctx), XML);
  t.is(into.length, 7);
  t.is(recordReads(fake).length, 7);
});

test('an empty list before the dynamic linker fills DT_DEBUG', async (t) => {
  t.is(await librariesSvr4(image(false)), '<library-list-svr4 version="1.0"/>');
});

test('a program without DT_DEBUG (ld.so run as the program) is an error, as gdbserver answers', async (t) => {
  // gdb.server/solib-list.exp: gdb then reads ld.so's _r_debug itself and finds the libraries;
  // an empty list would tell it there are none.
  const ctx = image(true);
  const auxv = Buffer.alloc(16);
  ctx.target.processInfo!.auxv = async () => auxv; // no AT_PHDR: no dynamic section found
  const err = await t.throwsAsync(librariesSvr4(ctx));
  t.is((err as { errno?: number }).errno, 1);
});
