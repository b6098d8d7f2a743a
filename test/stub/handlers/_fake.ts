// The fake process most handler tests talk to: one thread (or the tids given), a page of
// counting bytes mapped at 0x401000.
import { FakeTarget } from '../../helpers/fake-target.js';

export const PID = 1000;

export function fake(tids = [PID]): FakeTarget {
  const f = new FakeTarget(PID, tids);
  const mem = Buffer.alloc(0x1000);
  for (let i = 0; i < mem.length; i++) mem[i] = i;
  f.map(0x401000n, mem);
  return f;
}
