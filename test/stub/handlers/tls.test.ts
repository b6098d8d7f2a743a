// qGetTLSAddr over glibc's x86-64 layout (stub/handlers/tls.ts), on a fake process whose memory
// holds a TCB, a dtv and a link_map; l_tls_modid's offset comes from gdb through qSymbol (whose
// exchange itself is in symbol.test.ts).
import test from 'ava';
import { TargetError } from '../../../stub/target.js';
import { FakeTarget } from '../../helpers/fake-target.js';
import { connectSession } from '../../helpers/rsp-client.js';

const PID = 1000;
const TID2 = 1001;
const hex = (s: string) => Buffer.from(s).toString('hex');
const SYM = hex('_thread_db_link_map_l_tls_modid');
const DESC = 0x600000n; // the descriptor {64, 1, 1152}
const LINK_MAP = 0x601000n;
const TCB1 = 0x700000n;
const TCB2 = 0x710000n;

function u64s(...values: bigint[]): Buffer {
  const b = Buffer.alloc(values.length * 8);
  for (const [i, v] of values.entries()) b.writeBigUInt64LE(v, i * 8);
  return b;
}

/** Two threads; module 2 (the link_map's) is allocated in thread 1 only. */
function fake<T extends FakeTarget>(f: T = new FakeTarget(PID, [PID, TID2]) as T): T {
  const desc = Buffer.alloc(12);
  desc.writeUInt32LE(64, 0);
  desc.writeUInt32LE(1, 4);
  desc.writeUInt32LE(1152, 8);
  f.map(DESC, desc);
  const lm = Buffer.alloc(1160);
  lm.writeBigUInt64LE(2n, 1152);
  f.map(LINK_MAP, lm);
  // tcb: {tcb, dtv}; the dtv (16-byte entries) starts one entry after its slot count.
  f.map(TCB1, u64s(TCB1, TCB1 + 0x110n));
  f.map(TCB1 + 0x100n, u64s(2n, 0n, 1n, 0n, TCB1 - 0x80n, 0n, TCB1 - 0x40n, 0n));
  f.map(TCB2, u64s(TCB2, TCB2 + 0x110n));
  f.map(TCB2 + 0x100n, u64s(2n, 0n, 1n, 0n, TCB2 - 0x80n, 0n, 0xffffffffffffffffn, 0n));
  f.gpr.get(PID)!.writeBigUInt64LE(TCB1, 21 * 8);
  f.gpr.get(TID2)!.writeBigUInt64LE(TCB2, 21 * 8);
  return f;
}

test('qGetTLSAddr: dtv[modid] + offset per thread; module 1 without a link_map', async (t) => {
  const h = await connectSession(fake().asTarget());
  await h.client.request('qSymbol::');
  await h.client.request(`qSymbol:${DESC.toString(16)}:${SYM}`);
  // Static executable: lm 0 is the program itself, module 1.
  t.is(await h.client.request('qGetTLSAddr:3e8,10,0'), (TCB1 - 0x80n + 0x10n).toString(16));
  t.is(await h.client.request('qGetTLSAddr:3e9,10,0'), (TCB2 - 0x80n + 0x10n).toString(16));
  t.is(
    await h.client.request(`qGetTLSAddr:3e8,8,${LINK_MAP.toString(16)}`),
    (TCB1 - 0x40n + 8n).toString(16),
  );
  // Thread 2 has not touched module 2: TLS_DTV_UNALLOCATED.
  t.regex(await h.client.request(`qGetTLSAddr:3e9,8,${LINK_MAP.toString(16)}`), /^E/);
  t.regex(await h.client.request('qGetTLSAddr:3ea,8,0'), /^E/); // no such thread
  await h.close();
});

test('qGetTLSAddr with a link_map before qSymbol told its layout is an error, not unsupported', async (t) => {
  const h = await connectSession(fake().asTarget());
  t.regex(await h.client.request(`qGetTLSAddr:3e8,8,${LINK_MAP.toString(16)}`), /^E/);
  await h.close();
});

/** A target that reads only in the caller's turn (readMemoryInto); its record path fails. */
class InTurnOnly extends FakeTarget {
  records = 0;
  private readonly mapped: { start: bigint; data: Buffer }[] = [];
  override map(start: bigint, data: Buffer): this {
    this.mapped.push({ start, data });
    return super.map(start, data);
  }
  override async readMemory(): Promise<Buffer> {
    this.records++;
    throw new TargetError('no record path here', 5);
  }
  readMemoryInto(addr: number | bigint, length: number, into: Buffer): number | undefined {
    const a = BigInt(addr);
    for (const r of this.mapped) {
      const off = a - r.start;
      if (off < 0n || off >= BigInt(r.data.length)) continue;
      return r.data.copy(into, 0, Number(off), Math.min(r.data.length, Number(off) + length));
    }
    return 0;
  }
}

test('the descriptor and the TLS walk are read in the caller turn where the target can, not as records', async (t) => {
  const f = fake(new InTurnOnly(PID, [PID, TID2]));
  const h = await connectSession(f.asTarget());
  await h.client.request('qSymbol::');
  t.is(await h.client.request(`qSymbol:${DESC.toString(16)}:${SYM}`), 'OK');
  t.is(
    await h.client.request(`qGetTLSAddr:3e8,8,${LINK_MAP.toString(16)}`),
    (TCB1 - 0x40n + 8n).toString(16),
  );
  t.is(f.records, 0);
  await h.close();
});
