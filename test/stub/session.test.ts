import test from 'ava';
import { encodePacket } from '../../rsp/encoder.js';
import { PACKET_SIZE } from '../../stub/capabilities.js';
import { FakeTarget } from '../helpers/fake-target.js';
import { connectSession } from '../helpers/rsp-client.js';

const PID = 1000;

function fake(tids = [PID]) {
  const f = new FakeTarget(PID, tids);
  const mem = Buffer.alloc(0x1000);
  for (let i = 0; i < mem.length; i++) mem[i] = i;
  f.map(0x401000n, mem);
  return f;
}

test('qSupported echoes client features we accept and advertises ours', async (t) => {
  const h = await connectSession(fake().asTarget());
  const r = await h.client.request(
    'qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386;vContSupported+',
  );
  const feats = r.split(';');
  t.true(feats.includes(`PacketSize=${PACKET_SIZE.toString(16)}`));
  for (const f of [
    'multiprocess+',
    'swbreak+',
    'hwbreak+',
    'qXfer:features:read+',
    'QPassSignals+',
    'qXfer:libraries-svr4:read+',
    'vContSupported+',
    'QStartNoAckMode+',
  ]) {
    t.true(feats.includes(f), f);
  }
  await h.close();
});

test('without multiprocess from the client, none is advertised and thread ids are bare', async (t) => {
  const h = await connectSession(fake([PID, PID + 1]).asTarget());
  const r = await h.client.request('qSupported:swbreak+');
  t.false(r.includes('multiprocess+'));
  t.is(await h.client.request('qfThreadInfo'), 'm3e8,3e9');
  t.is(await h.client.request('qsThreadInfo'), 'l');
  t.is(await h.client.request('qC'), 'QC3e8');
  await h.close();
});

test('capabilities follow the target groups', async (t) => {
  const h = await connectSession(
    fake().asTarget({ signals: false, processInfo: false, watchpoints: false, breakpoints: false }),
  );
  const r = await h.client.request('qSupported:multiprocess+;swbreak+;hwbreak+');
  t.false(r.includes('QPassSignals'));
  t.false(r.includes('auxv'));
  t.false(r.includes('swbreak+'));
  t.is(await h.client.request('Z0,401000,1'), '');
  t.is(await h.client.request('Z2,401000,4'), '');
  t.is(await h.client.request('QPassSignals:e'), '');
  await h.close();
});

test('? reports the initial stop with thread and expedited registers', async (t) => {
  const h = await connectSession(fake().asTarget());
  await h.client.request('qSupported:multiprocess+');
  const r = await h.client.request('?');
  t.regex(r, /^T05/);
  t.true(r.includes(`thread:p${PID.toString(16)}.${PID.toString(16)};`));
  // rip (regnum 16 = 0x10) is expedited little-endian: 0x401000 + tid.
  t.true(
    r.includes(
      `10:${(0x401000n + BigInt(PID)).toString(16).padStart(16, '0').match(/../g)!.reverse().join('')}`,
    ),
  );
  await h.close();
});

test('acks every packet until QStartNoAckMode, then none', async (t) => {
  const h = await connectSession(fake().asTarget());
  t.is(await h.client.request('qC'), 'QC3e8');
  t.deepEqual(h.client.acks, ['+']);
  t.is(await h.client.request('QStartNoAckMode'), 'OK');
  h.client.noAck = true;
  t.is(await h.client.request('qC'), 'QC3e8');
  t.deepEqual(h.client.acks, ['+', '+']);
  // Without acks nobody retransmits, so a bad checksum is taken as is (as gdbserver does).
  h.client.raw('$qC#00');
  t.is(await h.client.next(), 'QC3e8');
  t.deepEqual(h.client.acks, ['+', '+']);
  await h.close();
});

test('registers: g covers the whole layout, p and P one register', async (t) => {
  const f = fake();
  const h = await connectSession(f.asTarget());
  const g = await h.client.request('g');
  t.is(g.length, 60 * 0 + 2 * (16 * 8 + 8 + 4 + 6 * 4 + 8 * 10 + 8 * 4 + 16 * 16 + 4 + 8 + 16));
  t.is(
    await h.client.request('p10'),
    (0x401000n + BigInt(PID)).toString(16).padStart(16, '0').match(/../g)!.reverse().join(''),
  );
  t.is(await h.client.request('P0=efcdab8967452301'), 'OK');
  t.is(f.gpr.get(PID)!.readBigUInt64LE(10 * 8), 0x0123456789abcdefn);
  t.is(await h.client.request('p0'), 'efcdab8967452301');
  t.is(await h.client.request('p999'), 'E16');
  t.is(await h.client.request('P0=12'), 'E16');
  await h.close();
});

test('memory: reads, partial reads, unmapped reads, writes', async (t) => {
  const f = fake();
  const h = await connectSession(f.asTarget());
  t.is(await h.client.request('m401000,4'), '00010203');
  t.is(await h.client.request('m401ffe,8'), 'feff');
  t.is(await h.client.request('m0,8'), 'E05');
  t.is(await h.client.request('M401000,2:aabb'), 'OK');
  t.is(await h.client.request('m401000,2'), 'aabb');
  t.is(
    await h.client.request(Buffer.concat([Buffer.from('X401002,2:'), Buffer.from([0x23, 0x7d])])),
    'OK',
  );
  t.is(await h.client.request('m401002,2'), '237d');
  t.is(await h.client.request('M10,1:00'), 'E05');
  await h.close();
});

test('malformed input: bad checksum, garbage, truncated, oversize, bad hex, unknown', async (t) => {
  const h = await connectSession(fake().asTarget());
  h.client.raw('$qC#00');
  t.is(await h.client.request('qC'), 'QC3e8');
  t.true(h.client.acks.includes('-'));
  h.client.raw('garbage\x01\x02 ');
  t.is(await h.client.request('qC'), 'QC3e8');
  h.client.raw('$m401000,'); // cut short by the next packet
  t.is(await h.client.request('m401000,1'), '00');
  h.client.send('M401000,1:' + '00'.repeat(0x5000));
  t.is(await h.client.next(), 'E01');
  t.is(await h.client.request('mzz,4'), 'E01');
  t.is(await h.client.request('M401000,2:zz11'), 'E01');
  t.is(await h.client.request('qNoSuchThing'), '');
  t.is(await h.client.request('vMustReplyEmpty'), '');
  t.is(await h.client.request('qC'), 'QC3e8');
  await h.close();
});

test('continue, breakpoint stop with swbreak, and the lazy z0/Z0 around a step', async (t) => {
  const f = fake();
  const h = await connectSession(f.asTarget());
  await h.client.request('qSupported:multiprocess+;swbreak+;hwbreak+');
  t.is(await h.client.request('Z0,401010,1'), 'OK');
  t.true(f.swBreaks.has(0x401010n));
  f.script.push({
    kind: 'stopped',
    thread: { pid: PID, tid: PID },
    signal: 5,
    cause: { type: 'sw-break' },
  });
  const stop = await h.client.request('vCont;c');
  t.regex(stop, /^T05/);
  t.true(stop.includes('swbreak:;'));
  t.deepEqual(f.lastResume, [{ mode: 'continue', signal: 0 }]);
  // Step over the breakpoint at the thread's pc: z0, vCont;s, Z0 reach the target as nothing.
  const pc = 0x401000n + BigInt(PID);
  t.is(await h.client.request(`Z0,${pc.toString(16)},1`), 'OK');
  const before = f.calls.filter((c) => c.startsWith('setSw') || c.startsWith('clearSw')).length;
  t.is(await h.client.request(`z0,${pc.toString(16)},1`), 'OK');
  f.script.push({
    kind: 'stopped',
    thread: { pid: PID, tid: PID },
    signal: 5,
    cause: { type: 'step' },
  });
  t.regex(await h.client.request(`vCont;s:p${PID.toString(16)}.${PID.toString(16)}`), /^T05/);
  t.is(await h.client.request(`Z0,${pc.toString(16)},1`), 'OK');
  const after = f.calls.filter((c) => c.startsWith('setSw') || c.startsWith('clearSw')).length;
  t.is(after, before);
  // A removal that is not undone is flushed at the next resume.
  t.is(await h.client.request('z0,401010,1'), 'OK');
  f.script.push({ kind: 'exited', pid: PID, code: 7 });
  t.is(await h.client.request('c'), `W07;process:${PID.toString(16)}`);
  t.false(f.swBreaks.has(0x401010n));
  await h.close();
});

test('signals: C delivers the host signal, S steps with one, QPassSignals maps numbers', async (t) => {
  const f = fake();
  const h = await connectSession(f.asTarget());
  f.script.push({
    kind: 'stopped',
    thread: { pid: PID, tid: PID },
    signal: 11,
    cause: { type: 'signal' },
  });
  t.regex(await h.client.request('C1e'), /^T0b/); // GDB 30 = SIGUSR1 (host 10); SIGSEGV reported as 11
  t.is(f.lastResume[0]!.signal, 10);
  // 0e SIGALRM (14), 14 SIGCHLD (gdb 20 -> host 17), 1c SIGWINCH (28)
  t.is(await h.client.request('QPassSignals:e;14;1c'), 'OK');
  t.deepEqual(f.passSignals, [14, 17, 28]);
  t.is(await h.client.request('QProgramSignals:e'), 'OK');
  await h.close();
});

test('QPassSignals: GDB_SIGNAL_POLL does not pass SIGIO (`handle SIGIO stop` with POLL passed)', async (t) => {
  const f = fake();
  const h = await connectSession(f.asTarget());
  // gdb's list after `handle SIGIO stop`: POLL (0x21) stays passed, IO (0x17) does not. SIGIO
  // and SIGPOLL are one host signal (29), which gdbserver looks up as GDB_SIGNAL_IO.
  t.is(await h.client.request('QPassSignals:1a;21;2e'), 'OK');
  t.deepEqual(f.passSignals, [26, 34]); // VTALRM, and GDB_SIGNAL_REALTIME_34
  t.is(await h.client.request('QPassSignals:17'), 'OK');
  t.deepEqual(f.passSignals, [29]);
  await h.close();
});

test('0x03 while running stops the target and reports SIGINT', async (t) => {
  const f = fake();
  const h = await connectSession(f.asTarget());
  h.client.send('vCont;c');
  while (!f.running) await new Promise((r) => setImmediate(r));
  h.client.raw(Buffer.from([3]));
  t.regex(await h.client.next(), /^T02/);
  t.true(f.calls.includes('interrupt'));
  await h.close();
});

test('0x03 while the resume still syncs breakpoints is delivered once the target runs', async (t) => {
  const f = fake();
  const h = await connectSession(f.asTarget());
  await h.client.request('qSupported:multiprocess+;swbreak+;hwbreak+');
  t.is(await h.client.request('Z0,401010,1'), 'OK');
  t.is(await h.client.request('z0,401010,1'), 'OK'); // taken out with the next resume
  let open!: () => void;
  f.breakpointGate = new Promise((r) => {
    open = r;
  });
  h.client.send('vCont;c');
  while (!f.calls.some((c) => c.startsWith('clearSw'))) await new Promise((r) => setImmediate(r));
  h.client.raw(Buffer.from([3]));
  // The session has no way to say it read the byte; a stop reply proves the interrupt reached
  // the target, whichever came first.
  setImmediate(() => setImmediate(open));
  t.regex(await h.client.next(), /^T02/);
  t.true(f.calls.indexOf('interrupt') > f.calls.findIndex((c) => c.startsWith('resume')));
  await h.close();
});

test('watchpoints: Z2/Z3/Z4 reach the target, stops carry watch/rwatch/awatch', async (t) => {
  const f = fake();
  const h = await connectSession(f.asTarget());
  t.is(await h.client.request('Z2,401008,4'), 'OK');
  t.is(await h.client.request('Z3,401010,8'), 'OK');
  t.is(await h.client.request('Z4,401020,1'), 'OK');
  t.is(await h.client.request('Z2,401001,0'), 'E16');
  t.true(f.watches.has(`write:${0x401008n}:4`));
  f.script.push({
    kind: 'stopped',
    thread: { pid: PID, tid: PID },
    signal: 5,
    cause: { type: 'watch', kind: 'access', addr: 0x401020n },
  });
  const r = await h.client.request('c');
  t.true(r.includes('awatch:401020;'));
  t.is(await h.client.request('z2,401008,4'), 'OK');
  t.false(f.watches.has(`write:${0x401008n}:4`));
  await h.close();
});

test('watchpoints: an unaligned region takes aligned pieces, all or none', async (t) => {
  const f = fake();
  const h = await connectSession(f.asTarget());
  // 0x401001..0x401004: 1 byte, then 2 aligned, then 1 (gdb/nat/x86-dregs.c's split).
  t.is(await h.client.request('Z2,401001,4'), 'OK');
  t.deepEqual(
    [...f.watches],
    [`write:${0x401001n}:1`, `write:${0x401002n}:2`, `write:${0x401004n}:1`],
  );
  // One debug register left: a 2-piece region does not fit and leaves nothing behind.
  t.regex(await h.client.request('Z4,402003,3'), /^E/);
  t.is(f.watches.size, 3);
  t.is(await h.client.request('z2,401001,4'), 'OK');
  t.is(f.watches.size, 0);
  t.regex(await h.client.request('Z2,401000,40'), /^E/); // more than 4 registers' worth
  await h.close();
});

test('vCont with per-thread actions and range stepping', async (t) => {
  const f = fake([PID, PID + 1]);
  const h = await connectSession(f.asTarget());
  await h.client.request('qSupported:multiprocess+');
  t.is(await h.client.request('vCont?'), 'vCont;c;C;s;S;r');
  f.script.push({
    kind: 'stopped',
    thread: { pid: PID, tid: PID + 1 },
    signal: 5,
    cause: { type: 'step' },
  });
  const r = await h.client.request(
    `vCont;r401000,401010:p${PID.toString(16)}.${(PID + 1).toString(16)};c`,
  );
  t.true(r.includes(`thread:p3e8.3e9;`));
  t.deepEqual(f.lastResume, [
    {
      thread: { pid: PID, tid: PID + 1 },
      mode: 'range',
      signal: 0,
      range: { start: 0x401000n, end: 0x401010n },
    },
    { mode: 'continue', signal: 0 },
  ]);
  // The stopping thread becomes the current one.
  t.is(await h.client.request('qC'), 'QCp3e8.3e9');
  t.is(await h.client.request('Hgp3e8.3e8'), 'OK');
  t.is(await h.client.request('Hgp3e8.999'), 'E01');
  t.is(await h.client.request('Tp3e8.3e9'), 'OK');
  t.is(await h.client.request('Tp3e8.5'), 'E01');
  t.is(
    await h.client.request('qThreadExtraInfo,p3e8.3e9'),
    Buffer.from('fake-1001').toString('hex'),
  );
  t.is(await h.client.request('qThreadExtraInfo,p3e8.5'), 'E01');
  await h.close();
});

test('qXfer: target.xml, threads with names, auxv, exec-file; chunked reads', async (t) => {
  const h = await connectSession(fake([PID, PID + 1]).asTarget());
  const xml1 = await h.client.request('qXfer:features:read:target.xml:0,100');
  t.is(xml1[0], 'm');
  const rest = await h.client.request('qXfer:features:read:target.xml:100,3000');
  t.is(rest[0], 'l');
  const xml = xml1.slice(1) + rest.slice(1);
  t.true(xml.includes('<architecture>i386:x86-64</architecture>'));
  t.true(xml.endsWith('</target>'));
  t.is(await h.client.request('qXfer:features:read:nope.xml:0,100'), 'E00');
  const threads = await h.client.request('qXfer:threads:read::0,fff');
  t.true(threads.includes('<thread id="3e9" core="1" name="fake-1001"/>'));
  const auxv = await h.client.request('qXfer:auxv:read::0,fff');
  t.is(auxv.length, 33);
  t.is(await h.client.request('qXfer:exec-file:read::0,fff'), 'l/fake/prog');
  t.is(await h.client.request('qXfer:exec-file:read::100,fff'), 'l');
  t.is(await h.client.request('qXfer:nosuch:read::0,fff'), '');
  await h.close();
});

test('qRcmd: monitor help sends output then OK; unknown commands fail', async (t) => {
  const h = await connectSession(fake().asTarget());
  const out = await h.client.request(`qRcmd,${Buffer.from('help').toString('hex')}`);
  t.is(out[0], 'O');
  t.true(Buffer.from(out.slice(1), 'hex').toString().includes('exit'));
  t.is(await h.client.next(), 'OK');
  t.is((await h.client.request(`qRcmd,${Buffer.from('frobnicate').toString('hex')}`))[0], 'O');
  t.is(await h.client.next(), 'E01');
  await h.close();
});

test('D detaches and ends the session', async (t) => {
  const f = fake();
  const h = await connectSession(f.asTarget());
  t.is(await h.client.request('Z0,401010,1'), 'OK');
  t.is(await h.client.request('D'), 'OK');
  t.is(await h.session.ended, 'detached');
  t.true(f.detached);
  t.is(f.swBreaks.size, 0);
  await h.close();
});

test('k kills and ends the session without a reply', async (t) => {
  const f = fake();
  const h = await connectSession(f.asTarget());
  h.client.send('k');
  t.is(await h.session.ended, 'gone');
  t.true(f.killed);
  await h.close();
});

test('a client vanishing mid-session ends it as disconnected', async (t) => {
  const f = fake();
  const h = await connectSession(f.asTarget());
  h.client.raw(encodePacket('qC').subarray(0, 3));
  h.client.close();
  t.is(await h.session.ended, 'disconnected');
  await h.close();
});

test('random bytes do not break the session; it answers the next good packet', async (t) => {
  const f = fake();
  const h = await connectSession(f.asTarget());
  let x = 0x12345678;
  const noise = Buffer.alloc(1 << 16);
  for (let i = 0; i < noise.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    noise[i] = x >>> 24;
  }
  h.client.raw(noise);
  h.client.send('qC');
  // The noise may hold NAKs (each repeats our last reply) or, rarely, a well-formed packet:
  // read until the answer to qC shows up.
  let r = '';
  for (let i = 0; i < 1000 && r !== 'QC3e8'; i++) r = await h.client.next();
  t.is(r, 'QC3e8');
  t.false(f.killed);
  await h.close();
});

test('LLDB queries: register info, thread suffix, jThreadsInfo, qThreadStopInfo', async (t) => {
  const h = await connectSession(fake([PID, PID + 1]).asTarget(), { version: '9.9.9' });
  t.regex(await h.client.request('qRegisterInfo0'), /^name:rax;bitsize:64;/);
  t.regex(await h.client.request('qRegisterInfo10'), /^name:rip;/);
  t.is(await h.client.request('qRegisterInfo999'), 'E45');
  t.is(await h.client.request('QThreadSuffixSupported'), 'OK');
  t.is(
    await h.client.request('p10;thread:3e9;'),
    (0x401000n + BigInt(PID + 1)).toString(16).padStart(16, '0').match(/../g)!.reverse().join(''),
  );
  const info = JSON.parse(await h.client.request('jThreadsInfo')) as {
    tid: number;
    name?: string;
    registers?: Record<string, string>;
  }[];
  t.deepEqual(
    info.map((x) => [x.tid, x.name]),
    [
      [PID, `fake-${PID}`],
      [PID + 1, `fake-${PID + 1}`],
    ],
  );
  t.truthy(info[0]!.registers?.['16']);
  t.regex(await h.client.request('qThreadStopInfo3e8'), /^T05/);
  t.regex(await h.client.request('qThreadStopInfo3e9'), /^T00.*thread:3e9;/);
  t.regex(await h.client.request('qGDBServerVersion'), /name:ntrace-gdbserver;version:9\.9\.9;/);
  t.is(await h.client.request('qMemoryRegionInfo'), 'OK');
  await h.close();
});

test('exec-events: the stop carries exec:<hex path> and breakpoints are set anew afterwards', async (t) => {
  const f = fake();
  const target = f.asTarget();
  let execOn = false;
  target.execEvents = {
    setExecEvents: async (on) => {
      execOn = on;
    },
  };
  const h = await connectSession(target);
  t.true(
    (await h.client.request('qSupported:multiprocess+;exec-events+')).includes('exec-events+'),
  );
  t.true(execOn);
  t.is(await h.client.request('Z0,401010,1'), 'OK');
  f.script.push({
    kind: 'stopped',
    thread: { pid: PID, tid: PID },
    signal: 5,
    cause: { type: 'exec', path: '/bin/new' },
  });
  const r = await h.client.request('c');
  t.true(r.startsWith(`T05exec:${Buffer.from('/bin/new').toString('hex')};`));
  const before = f.calls.filter((c) => c.startsWith('setSw')).length;
  t.is(await h.client.request('Z0,401010,1'), 'OK');
  t.is(f.calls.filter((c) => c.startsWith('setSw')).length, before + 1);
  await h.close();
});

test('fork-events: fork:<child> in the stop, Hg to the child routes z0 there, D;child detaches it', async (t) => {
  const f = fake();
  const target = f.asTarget();
  const children = new Set<number>();
  const log: string[] = [];
  target.forks = {
    setForkEvents: async (on) => {
      log.push(`fork-events ${on}`);
    },
    children: () => [...children],
    clearChildBreakpoint: async (pid, addr) => {
      log.push(`child ${pid} z0 ${addr.toString(16)}`);
    },
    detachChild: async (pid) => {
      children.delete(pid);
      log.push(`detach ${pid}`);
    },
  };
  const h = await connectSession(target);
  t.true(
    (await h.client.request('qSupported:multiprocess+;fork-events+')).includes('fork-events+'),
  );
  t.is(await h.client.request('Z0,401010,1'), 'OK');
  children.add(0x7d0);
  f.script.push({
    kind: 'stopped',
    thread: { pid: PID, tid: PID },
    signal: 5,
    cause: { type: 'fork', child: { pid: 0x7d0, tid: 0x7d0 } },
  });
  t.true((await h.client.request('c')).startsWith('T05fork:p7d0.7d0;'));
  t.is(await h.client.request('Hgp7d0.7d0'), 'OK');
  t.is(await h.client.request('z0,401010,1'), 'OK');
  t.is(await h.client.request('Hgp3e8.3e8'), 'OK');
  t.is(await h.client.request('D;7d0'), 'OK');
  t.deepEqual(log, ['fork-events true', 'child 2000 z0 401010', 'detach 2000']);
  // The parent's breakpoint was untouched.
  t.true(f.swBreaks.has(0x401010n));
  await h.close();
});
