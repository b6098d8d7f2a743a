// A TargetProvider over FakeTargets, for multiprocess (extended-remote) session tests: vRun
// launches pid 0x7d0, 0x7d1, ... with one thread; vAttach;pid gives pid with two threads.
// Each maps 0x401000 with the pid's low byte first, so memory reads tell the processes apart.
import type { LaunchRequest } from '../../stub/launch-settings.js';
import type { TargetProvider } from '../../stub/session.js';
import { FakeTarget } from './fake-target.js';

export function fakeProvider(): {
  p: TargetProvider;
  launched: LaunchRequest[];
  targets: Map<number, FakeTarget>;
} {
  const launched: LaunchRequest[] = [];
  const targets = new Map<number, FakeTarget>();
  let nextPid = 0x7d0;
  const p: TargetProvider = {
    capabilities: {
      swBreak: true,
      hwBreak: false,
      watch: false,
      rangeStep: false,
      signals: false,
      siginfoWrite: false,
      processInfo: true,
      syscalls: false,
      execEvents: false,
      forkEvents: false,
      vforkEvents: false,
    },
    async launch(req) {
      launched.push(req);
      const pid = nextPid++;
      const f = new FakeTarget(pid, [pid]);
      f.map(0x401000n, Buffer.from([pid & 0xff, 1, 2, 3]));
      targets.set(pid, f);
      return f.asTarget();
    },
    async attach(pid) {
      const f = new FakeTarget(pid, [pid, pid + 1], true);
      f.map(0x401000n, Buffer.from([pid & 0xff, 9, 9, 9]));
      targets.set(pid, f);
      return f.asTarget();
    },
  };
  return { p, launched, targets };
}
