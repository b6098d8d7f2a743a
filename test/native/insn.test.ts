// The instruction decoder of the in-process agent (kmod/ntrace_emul.c, ntrace_insn_decode),
// run on the host through test/fixtures/insn-harness.c, against objdump's reading of the C
// library's code: every instruction it accepts has objdump's length and a [rip+disp32]
// operand exactly when objdump shows one; every relative jump but jmp/call rel32, every return
// and indirect call is refused (an indirect jmp is taken: it runs the same from a copy).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import test from 'ava';
import { compileKmodHarness, runHarness } from '../helpers/compile.js';

const harness = compileKmodHarness('insn-harness.c', 'ntrace_emul.c');

interface Decoded {
  len: number;
  ripRel: boolean;
  dispOff: number;
  branch: number;
}

async function decode(hexes: string[]): Promise<(Decoded | null)[]> {
  const out = await runHarness(harness, `${hexes.join('\n')}\n`, 256 << 20);
  return out
    .trimEnd()
    .split('\n')
    .map((l) => {
      if (l === 'refused') return null;
      const [len, rr, off, br] = l.split(' ').map(Number);
      return { len: len!, ripRel: rr === 1, dispOff: off!, branch: br! };
    });
}

/** The first `max` instructions objdump decodes in file, as [bytes hex, mnemonic and operands]. */
async function objdump(file: string, max: number): Promise<[string, string][]> {
  const p = spawn('objdump', ['-d', '--insn-width=16', file]);
  const out: [string, string][] = [];
  let rest = '';
  await new Promise<void>((res, rej) => {
    p.on('error', rej);
    p.stdout.setEncoding('utf8');
    p.stdout.on('data', (d: string) => {
      const lines = (rest + d).split('\n');
      rest = lines.pop()!;
      for (const line of lines) {
        const f = line.split('\t');
        if (f.length < 3 || !/^ *[0-9a-f]+:$/.test(f[0]!)) continue;
        out.push([f[1]!.replace(/ /g, ''), f[2]!]);
        if (out.length >= max) {
          p.kill();
          break;
        }
      }
    });
    p.on('close', () => res());
  });
  return out;
}

const libc = ['/lib/x86_64-linux-gnu/libc.so.6', '/lib64/libc.so.6', '/usr/lib64/libc.so.6'].find(
  (f) => existsSync(f),
);

// Skipped only where no x86-64 libc is at a known path (Debian's is always there): the decoder
// is checked against objdump over libc's code, and without it there is nothing to disassemble.
(libc ? test : test.skip)(
  'lengths and rip-relative operands agree with objdump over libc',
  async (t) => {
    const insns = (await objdump(libc!, 60000)).filter(([h]) => h.length >= 2 && h.length <= 30);
    const got = await decode(insns.map(([h]) => h));
    t.is(got.length, insns.length);
    let accepted = 0;
    let plain = 0;
    for (let i = 0; i < insns.length; i++) {
      const [h, text] = insns[i]!;
      const d = got[i]!;
      const mnemonic = text.trim().split(/\s+/)[0]!;
      const jump = /^(j|loop|ret|iret|int|call|bnd|notrack|hlt|ud)/.test(mnemonic);
      if (!jump) plain++;
      if (d === null) continue;
      accepted += jump ? 0 : 1;
      if (d.len !== h.length / 2) t.fail(`${h} ${text}: length ${d.len}, objdump ${h.length / 2}`);
      if (d.ripRel !== text.includes('(%rip)')) t.fail(`${h} ${text}: rip-relative ${d.ripRel}`);
      if (jump && /^(notrack )?jmp\s+\*/.test(text.trim())) {
        t.is(d.branch, 0, text); // an indirect jmp runs the same anywhere
      } else if (jump) {
        // Only direct jmp/call rel32 are taken (the pad recomputes their target).
        const direct = /^(jmp|call)\s+[0-9a-f]+ </.test(text.trim());
        if (!direct || h.length !== 10) t.fail(`${h} ${text}: a branch accepted`);
        t.is(d.branch, mnemonic === 'call' ? 2 : 1, text);
      }
    }
    t.true(accepted > plain * 0.9, `most plain instructions are taken (${accepted} of ${plain})`);
  },
);

test('truncated, prefixed-after-REX, eip-relative and VEX forms are refused', async (t) => {
  const cases = [
    '48', // REX alone
    '488b05', // mov disp32(%rip),%rax without its displacement
    '4866890500000000', // a prefix after REX
    '67488b0500000000', // [eip+disp32]
    'c5f877', // vzeroupper (VEX)
    'eb00', // jmp rel8
    '7400', // je rel8
    '0f8400000000', // je rel32
    'c3', // ret
    'ffd0', // call *%rax
    'cc', // int3
    'c7f800000000', // xbegin
  ];
  const got = await decode(cases);
  for (const [i, c] of cases.entries()) t.is(got[i], null, c);
  const ok = await decode(['488b0510203040', '48c70510203040aabbccdd', 'f048ff0510203040']);
  t.deepEqual(ok, [
    { len: 7, ripRel: true, dispOff: 3, branch: 0 },
    { len: 11, ripRel: true, dispOff: 3, branch: 0 },
    { len: 8, ripRel: true, dispOff: 4, branch: 0 },
  ]);
});
