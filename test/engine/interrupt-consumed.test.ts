// A stop request (PTRACE_INTERRUPT) that the thread's next ptrace-stop of another kind takes
// with it: the kernel drops a pending interrupt at any stop (kernel/signal.c, ptrace_stop), so
// no interrupt stop is owed afterwards (gdb.threads/tls.exp: a continue that never stopped).
import { capTest, fixture, Session, taskState, until } from './_session.js';

const SYS_GETPPID = 110;

capTest(
  ['launch', 'syscallExitStop', 'syscallFilter'],
  'a stop request answered by a syscall-exit stop: the next stop request still stops the thread',
  async (t) => {
    const s = await Session.open(t);
    // pause() in a loop; syscall stops on (the engine traces syscalls), reported for getppid only.
    const { pid, stop } = await s.launch(await fixture('step-syscall'));
    await s.engine.setOptions(pid, { events: { syscallExit: true }, syscalls: [SYS_GETPPID] });
    await s.cont(stop);
    // Each request interrupts pause(), whose syscall-exit stop comes before the interrupt's.
    for (let i = 0; i < 2; i++) {
      await until(() => taskState(pid) === 'S', 'the thread to wait in pause()');
      await s.engine.stop(pid);
      const st = await s.nextStop();
      t.is(st.reason, 'requested');
      await s.cont(st);
    }
  },
);
