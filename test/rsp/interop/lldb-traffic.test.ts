// Real LLDB (16) launching a process through its own lldb-server, with packet logging: every
// packet LLDB sends must parse without a 'malformed' verdict.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { type Command, Framer, parseCommand } from '../../../rsp/index.js';

const run = promisify(execFile);

test('an LLDB launch session parses, LLDB extensions included', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rsp-lldb-'));
  try {
    const log = join(dir, 'packets.log');
    await run(
      'lldb-16',
      [
        '-b',
        '-o',
        `log enable -f ${log} gdb-remote packets`,
        '-o',
        'file /bin/true',
        '-o',
        'process launch --stop-at-entry',
        '-o',
        'register read rip',
        '-o',
        'memory read $sp',
        '-o',
        'thread list',
        '-o',
        'kill',
      ],
      // A small, known environment: LLDB sends each variable to the server.
      { env: { PATH: '/usr/bin:/bin', HOME: dir, TERM: 'dumb', LANG: 'C' }, maxBuffer: 1 << 24 },
    );
    const sent: Command[] = [];
    let unverifiable = 0;
    for (const m of readFileSync(log, 'latin1').matchAll(/send packet: (\$.*#[0-9a-f]{2})$/gm)) {
      const events = new Framer({ maxPacketSize: 1 << 20 }).push(Buffer.from(m[1]!, 'latin1'));
      // The log shows binary packets in a printable form; those no longer checksum.
      if (events.length !== 1 || events[0]!.type !== 'packet') {
        unverifiable++;
        continue;
      }
      sent.push(parseCommand(events[0]!.body));
    }
    t.true(sent.length > 20);
    t.true(unverifiable < 5);
    t.deepEqual(
      sent.filter((c) => c.kind === 'malformed'),
      [],
    );
    const seen = new Set(sent.map((c) => c.kind));
    for (const k of [
      'start-no-ack-mode',
      'supported-features',
      'enable-thread-suffix',
      'enable-threads-in-stop-reply',
      'host-info',
      'vcont-query',
      'enable-error-strings',
      'set-stdio',
      'disable-randomization',
      'environment-set',
      'run',
      'process-info',
      'read-register',
      'read-memory-binary',
      'memory-region-info',
      'allocate-memory',
      'kill',
    ] as const) {
      t.true(seen.has(k), `lldb sent a ${k} packet`);
    }
    t.true(sent.some((c) => c.kind === 'environment-set' && c.name === 'LANG' && c.value === 'C'));
    t.true(
      sent.some(
        (c) => c.kind === 'supported-features' && c.features.some((f) => f.name === 'xmlRegisters'),
      ),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
