// readMemoryNow: a memory read answered in the caller's turn (the userspace engine runs it
// inside the write), with readMemory's data and errors, in order with this tick's commands.
import type { EngineError } from '../../native/index.js';
import { backend, capTest, fixture, Session, sym, symbols } from './_session.js';

capTest(['launch'], 'readMemoryNow answers at once, with what readMemory answers', async (t) => {
  const s = await Session.open(t);
  const path = await fixture('spin');
  const syms = await symbols(path);
  const tick = sym(syms, 'tick');
  const counter = sym(syms, 'counter');
  const { pid } = await s.launch(path);
  const want = await s.engine.readMemory(pid, tick, 64);
  const now = s.engine.readMemoryNow(pid, tick, 64);
  if (backend === 'kernel') {
    // The module answers on readability: no such path, readMemory serves.
    t.is(now, undefined);
    await s.close();
    return;
  }
  t.true(Buffer.isBuffer(now), 'the data itself, not a promise');
  t.deepEqual(now, want);
  // Nothing readable: readMemory's error, thrown.
  const failed = await s.engine.readMemory(pid, 0n, 8).then(
    () => 'read',
    (err: EngineError) => String(err.code),
  );
  t.not(failed, 'read');
  t.is(t.throws<EngineError>(() => s.engine.readMemoryNow(pid, 0n, 8))?.code, failed);
  // After a write queued in the same tick: the read sees it (one write, in order).
  const bytes = Buffer.from('0123456789abcdef', 'hex').subarray(0, 8);
  const written = s.engine.writeMemory(pid, counter, bytes);
  t.deepEqual(s.engine.readMemoryNow(pid, counter, 8), bytes);
  t.is(await written, 8);
  // Records paused: a promise, answered once they flow again.
  s.engine.channel.pauseReading();
  const later = s.engine.readMemoryNow(pid, tick, 64);
  t.true(later instanceof Promise);
  s.engine.channel.resumeReading();
  t.deepEqual(await later, want);
  await s.close();
});
