// The breakpoint emulator (kmod/ntrace_emul.c, shared by both providers), run on the host
// through test/fixtures/emul-harness.c: registers start at 0x1000 * (n + 1) with rsp 0x5000 and
// rbp 0x6000, ip at 0x400000, and the 64 KiB at address 0 hold byte i & 0xff at i. The engine
// conformance test test/engine/emul.test.ts checks the same forms against the CPU itself.
import test from 'ava';
import fc from 'fast-check';
import { compileKmodHarness, runHarness } from '../helpers/compile.js';

const harness = compileKmodHarness('emul-harness.c', 'ntrace_emul.c');

/** Emulates each [instruction hex, memory allowed]; resolves with the harness's answer lines. */
async function emul(cases: [string, boolean][]): Promise<string[]> {
  const input = cases.map(([h, m]) => `${h.padEnd(16, '0')} ${m ? 1 : 0}\n`).join('');
  return (await runHarness(harness, input, 64 << 20)).trimEnd().split('\n');
}

const one = async (insn: string, mem = true) => (await emul([[insn, mem]]))[0];

test('register moves, 64 and 32 bits (32-bit results are zero-extended)', async (t) => {
  t.is(await one('4889e5'), '3 400003 r5=5000'); // mov %rsp,%rbp
  t.is(await one('89c8'), '2 400002 r0=2000'); // mov %ecx,%eax
  t.is(await one('4189c9'), '3 400003 r9=2000'); // mov %ecx,%r9d
  t.is(await one('b8f7ffffff'), '5 400005 r0=fffffff7'); // mov $-9,%eax
  t.is(await one('41bbf7ffffff'), '6 400006 r11=fffffff7'); // mov $-9,%r11d
  t.is(await one('48c7c0f9ffffff'), '7 400007 r0=fffffffffffffff9'); // mov $-7,%rax
});

test('loads and stores in each addressing form', async (t) => {
  t.is(await one('488b4508'), '4 400004 r0=f0e0d0c0b0a0908 r@6008/8'); // mov 8(%rbp),%rax
  t.is(await one('8b4508'), '3 400003 r0=b0a0908 r@6008/4'); // mov 8(%rbp),%eax
  t.is(await one('48897df8'), '4 400004 w@5ff8/8=0080000000000000'); // mov %rdi,-8(%rbp)
  t.is(await one('488b07'), '3 400003 r0=706050403020100 r@8000/8'); // mov (%rdi),%rax
  t.is(await one('4c8ba7a8000000'), '7 400007 r12=afaeadacabaaa9a8 r@80a8/8'); // mov 0xa8(%rdi),%r12
  // mov 0x10(%rdi,%rcx,2),%rbx: 0x8000 + 0x2000*2 + 0x10
  t.is(await one('488b5c4f10'), '5 400005 r3=1716151413121110 r@c010/8');
  // mov %rax,-8(%rsp)
  t.is(await one('48894424f8'), '5 400005 w@4ff8/8=0010000000000000');
  // mov 0x100(%rip),%eax reads past this 6-byte instruction: faults outside the 64 KiB
  t.is(await one('8b0500010000'), '0 400000 r@400106/4!');
  t.is(await one('c745fcfbffffff'), '7 400007 w@5ffc/4=fbffffff'); // movl $-5,-4(%rbp)
  t.is(await one('48c74708f9ffffff'), '8 400008 w@8008/8=f9ffffffffffffff'); // movq $-7,8(%rdi)
});

test('lea, push, nop and endbr64', async (t) => {
  t.is(await one('488d0c8d10000000'), '8 400008 r1=8010'); // lea 0x10(,%rcx,4),%rcx
  t.is(await one('488d3510000000'), '7 400007 r6=400017'); // lea 0x10(%rip),%rsi
  t.is(await one('55'), '1 400001 r4=4ff8 w@4ff8/8=0060000000000000'); // push %rbp
  t.is(await one('4154'), '2 400002 r4=4ff8 w@4ff8/8=00d0000000000000'); // push %r12
  t.is(await one('54'), '1 400001 r4=4ff8 w@4ff8/8=0050000000000000'); // push %rsp: the old one
  t.is(await one('90'), '1 400001');
  t.is(await one('f30f1efa'), '4 400004');
});

test('refused: flag-setting and other instructions, prefixes, memory when not allowed', async (t) => {
  for (const insn of [
    '4883ec10', // sub $0x10,%rsp (flags)
    '31c0', // xor %eax,%eax (flags)
    'e800000000', // call
    '6689c8', // mov %cx,%ax (operand-size prefix)
    '64488b042528000000', // mov %fs:0x28,%rax (segment prefix)
    '4850', // push with REX.W
    '48c78424000100000000000000', // movq $0,0x100(%rsp): 12 bytes, past what is looked at
    '48c7c8f9ffffff', // c7 /1 is not a mov
    '488d c0'.replace(' ', ''), // lea with a register operand
  ])
    t.regex(await one(insn), /^0 400000/, insn);
  t.is(await one('488b4508', false), '0 400000');
  t.is(await one('55', false), '0 400000');
  t.is(await one('4889e5', false), '3 400003 r5=5000', 'register forms need no memory');
});

test('any 8 bytes: either nothing is written, or the pc advances by at most 8', async (t) => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(fc.uint8Array({ minLength: 8, maxLength: 8 }), fc.boolean()), {
        minLength: 1,
        maxLength: 200,
      }),
      async (cases) => {
        const lines = await emul(cases.map(([b, m]) => [Buffer.from(b).toString('hex'), m]));
        for (const line of lines) {
          const [len, ip, ...rest] = line.split(' ');
          const n = Number(len);
          if (n === 0) {
            // Nothing written: reads only, or a write that faulted (and so did not happen).
            if (ip !== '400000' || rest.some((r) => !r.startsWith('r@') && !r.endsWith('!')))
              return false;
          } else if (n > 8 || Number.parseInt(ip!, 16) !== 0x400000 + n) {
            return false;
          }
        }
        return lines.length === cases.length;
      },
    ),
    { numRuns: 30 },
  );
  t.pass();
});
