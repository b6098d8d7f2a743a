// Shared by the tracepoint handler tests (trace-define, trace-enable, trace-frame): a fake
// target whose thread sits at the tracepoint, and a QTinit + QTDP definition.
import type { TargetStop } from '../../../stub/target.js';
import { fake, PID } from './_fake.js';

export const TP = 0x401010n;
export const thread = { pid: PID, tid: PID };

/** A fake whose thread sits at `pc`, with a scripted trap there and a SIGSEGV after. */
export function tracedFake(pc = TP) {
  const f = fake();
  f.gpr.get(PID)!.writeBigUInt64LE(pc, 16 * 8);
  const trap: TargetStop = { kind: 'stopped', thread, signal: 5, cause: { type: 'sw-break' } };
  const segv: TargetStop = { kind: 'stopped', thread, signal: 11, cause: { type: 'signal' } };
  f.script.push(trap, segv);
  return f;
}

export async function define(request: (p: string) => Promise<string>, actions: string[]) {
  const t: string[] = [];
  t.push(await request('QTinit'));
  t.push(await request(`QTDP:1:${TP.toString(16)}:E:0:0${actions.length ? '-' : ''}`));
  for (let i = 0; i < actions.length; i++)
    t.push(
      await request(`QTDP:-1:${TP.toString(16)}:${actions[i]}${i < actions.length - 1 ? '-' : ''}`),
    );
  return t;
}
