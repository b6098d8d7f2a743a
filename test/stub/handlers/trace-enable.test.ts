// A run started with QTStart (stub/handlers/trace-enable.ts, stub/tracepoints/), over a fake
// target: a hit is collected and resumed without a stop reply, a gdb breakpoint at the same
// place still stops, while-stepping steps, and the run ends with the connection.
import test from 'ava';
import type { TargetStop } from '../../../stub/target.js';
import { connectSession } from '../../helpers/rsp-client.js';
import { fake, PID } from './_fake.js';
import { define, thread, TP, tracedFake } from './_trace.js';

test('a hit is collected and the program resumes without a stop reply', async (t) => {
  const f = tracedFake();
  const h = await connectSession(f.asTarget());
  const req = (p: string) => h.client.request(p);
  // Registers; 4 bytes at 0x401020; an expression: const32 0x401030, trace_quick 2, end.
  t.deepEqual(await define(req, ['R1', 'M-1,401020,4', 'X8,2400401030' + '0d0227']), [
    'OK',
    'OK',
    'OK',
    'OK',
    'OK',
  ]);
  t.is(await req('QTStart'), 'OK');
  t.true(f.calls.includes('setSw 401010'), 'an int3 at the tracepoint');
  t.regex(await req('qTStatus'), /^T1;tnotrun:0;tframes:0;/);
  // The trap is silent: the reply is the SIGSEGV that came after the second resume.
  t.regex(await req('vCont;c'), /^T0b/);
  t.is(f.calls.filter((c) => c.startsWith('resume')).length, 2);
  t.is(await req('QTStop'), 'OK');
  t.regex(await req('qTStatus'), /^T0;tstop::0;tframes:1;tcreated:1;/);
  t.regex(await req('qTP:1:401010'), /^V1:[0-9a-f]+$/);
  // The expression's trace_quick recorded 2 bytes at 0x401030.
  t.is(await req('QTFrame:0'), 'F0T1');
  t.is(await req('m401030,4'), '3031');
  await h.close();
});

test('a gdb breakpoint at the tracepoint still reports the stop, after collecting', async (t) => {
  const f = tracedFake();
  const h = await connectSession(f.asTarget());
  const req = (p: string) => h.client.request(p);
  await define(req, []);
  await req('QTStart');
  t.is(await req('Z0,401010,1'), 'OK');
  t.regex(await req('vCont;c'), /^T05/);
  t.regex(await req('qTStatus'), /tframes:1;/);
  await h.close();
});

test('while-stepping: the thread steps for each count, a frame each, then resumes', async (t) => {
  const f = fake();
  f.gpr.get(PID)!.writeBigUInt64LE(TP, 16 * 8);
  const at = (type: 'sw-break' | 'step' | 'signal', signal = 5): TargetStop => ({
    kind: 'stopped',
    thread,
    signal,
    cause: { type },
  });
  f.script.push(at('sw-break'), at('step'), at('step'), at('signal', 11));
  const h = await connectSession(f.asTarget());
  const req = (p: string) => h.client.request(p);
  await req('QTinit');
  t.is(await req('QTDP:1:401010:E:2:0-'), 'OK');
  t.is(await req('QTDP:-1:401010:M-1,401020,1-'), 'OK');
  t.is(await req('QTDP:-1:401010:SM-1,401021,1-'), 'OK');
  t.is(await req('QTDP:-1:401010:M-1,401022,1'), 'OK', 'a while-stepping action too');
  await req('QTStart');
  // Each step moves the thread on by a byte (the fake has no instructions).
  const resume = f.resume.bind(f);
  f.resume = async (actions) => {
    if (actions[0]?.mode === 'step') {
      const g = f.gpr.get(PID)!;
      g.writeBigUInt64LE(g.readBigUInt64LE(16 * 8) + 1n, 16 * 8);
    }
    return resume(actions);
  };
  t.regex(await req('vCont;c'), /^T0b/);
  const resumes = f.calls.filter((c) => c.startsWith('resume'));
  t.is(resumes.length, 4);
  t.regex(resumes[1]!, /"mode":"step"/);
  t.regex(resumes[2]!, /"mode":"step"/);
  t.regex(resumes[3]!, /"mode":"continue"/);
  t.regex(await req('qTStatus'), /tframes:3;/);
  t.is(await req('QTFrame:1'), 'F1T1');
  t.is(await req('m401021,2'), '21', 'a step frame holds the step actions');
  t.is(await req('m401022,1'), '22');
  t.is(await req('m401020,1'), 'E01');
  t.is(await req('qTfP'), 'T1:401010:E:2:0');
  t.is(await req('qTsP'), 'A1:401010:M-1,401020,1');
  t.is(await req('qTsP'), 'S1:401010:M-1,401021,1');
  t.is(await req('qTsP'), 'S1:401010:M-1,401022,1');
  t.is(await req('qTsP'), 'l');
  await h.close();
});

test('the run ends with the connection and its int3s come out', async (t) => {
  const f = tracedFake();
  const h = await connectSession(f.asTarget());
  const req = (p: string) => h.client.request(p);
  await define(req, []);
  await req('QTStart');
  t.true(f.swBreaks.has(TP));
  await h.close();
  while (f.swBreaks.has(TP)) await new Promise((r) => setImmediate(r));
  t.pass('cleared');
});
