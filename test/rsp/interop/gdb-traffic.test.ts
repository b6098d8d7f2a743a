// Real gdb talking to real gdbserver, recorded with `set remotelogfile`: every packet gdb sends
// must parse without a 'malformed' verdict, and every reply must frame cleanly.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { type Command, Framer, parseCommand, parseStopReply } from '../../../rsp/index.js';

const run = promisify(execFile);

/** Undoes gdb's serial log escapes (gdb/serial.c serial_logchar) for one direction. */
function readLog(text: string, direction: 'w' | 'r'): Buffer {
  const out: number[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${direction} `)) continue;
    const body = line.slice(2).replace(/<(Timeout: \d+ seconds|Eof|Error|Break)>/g, '');
    for (let i = 0; i < body.length; i++) {
      const c = body[i]!;
      if (c !== '\\') {
        out.push(c.charCodeAt(0));
        continue;
      }
      const e = body[++i]!;
      const simple: Record<string, number> = { '\\': 0x5c, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11 };
      if (e === 'x') {
        out.push(Number.parseInt(body.slice(i + 1, i + 3), 16));
        i += 2;
      } else {
        out.push(simple[e]!);
      }
    }
  }
  return Buffer.from(out);
}

async function session(gdbArgs: string[]): Promise<{ sent: Command[]; replies: Buffer[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'rsp-traffic-'));
  try {
    const log = join(dir, 'remote.log');
    // remotetimeout: see spawnGdb in test/helpers/e2e-harness.ts.
    const base = ['-nx', '-batch', '-ex', 'set remotetimeout 30'];
    await run('gdb', [...base, '-ex', `set remotelogfile ${log}`, ...gdbArgs], {
      maxBuffer: 1 << 24,
    });
    const text = readFileSync(log, 'latin1');
    const sentEvents = new Framer({ maxPacketSize: 1 << 20 }).push(readLog(text, 'w'));
    const replyEvents = new Framer({ maxPacketSize: 1 << 20 }).push(readLog(text, 'r'));
    for (const e of [...sentEvents, ...replyEvents]) {
      if (e.type === 'bad-checksum' || e.type === 'error') throw new Error(JSON.stringify(e));
    }
    return {
      sent: sentEvents.flatMap((e) => (e.type === 'packet' ? [parseCommand(e.body)] : [])),
      replies: replyEvents.flatMap((e) => (e.type === 'packet' ? [e.body] : [])),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function check(
  t: import('ava').ExecutionContext,
  sent: Command[],
  replies: Buffer[],
  kinds: Command['kind'][],
): void {
  t.true(sent.length > 20);
  t.deepEqual(
    sent.filter((c) => c.kind === 'malformed'),
    [],
  );
  const seen = new Set(sent.map((c) => c.kind));
  for (const k of kinds) t.true(seen.has(k), `gdb sent a ${k} packet`);
  for (const r of replies) {
    const text = r.toString('latin1');
    if (/^(T[0-9a-f]{2}|S[0-9a-f]{2}$|W[0-9a-f]{2})/.test(text)) {
      t.true(parseStopReply(text).ok, text);
    }
  }
}

test('target remote: stepping, registers, memory, threads, kill', async (t) => {
  const { sent, replies } = await session([
    '-ex',
    'target remote | gdbserver - /bin/true',
    '-ex',
    'stepi',
    '-ex',
    'info registers rip',
    '-ex',
    'x/4xb $sp',
    '-ex',
    'info threads',
    '-ex',
    'kill',
  ]);
  check(t, sent, replies, [
    'supported-features',
    'start-no-ack-mode',
    'query-stop-reason',
    'vcont',
    'vcont-query',
    'read-memory',
    'xfer-read',
    'set-thread',
    'insert-breakpoint',
    'symbol-value',
  ]);
  // target.xml arrived in several run-length encoded, escaped chunks: it must reassemble.
  const xml = replies
    .map((r) => r.toString('latin1'))
    .filter((r) => /^[ml]/.test(r) && r.includes('<'))
    .join('');
  t.regex(xml, /<target/);
});

test('extended-remote: vRun with environment, working directory and startup settings', async (t) => {
  const { sent, replies } = await session([
    '-ex',
    'target extended-remote | gdbserver --multi -',
    '-ex',
    'set remote exec-file /bin/echo',
    '-ex',
    'set environment FOO=bar',
    '-ex',
    'unset environment LANG',
    '-ex',
    'set cwd /tmp',
    '-ex',
    'run hello world',
  ]);
  check(t, sent, replies, [
    'run',
    'environment-reset',
    'environment-set',
    'environment-unset',
    'set-working-dir',
    'startup-with-shell',
    'disable-randomization',
    'pass-signals',
    'program-signals',
  ]);
  const runCmd = sent.find((c) => c.kind === 'run');
  t.deepEqual(runCmd, { kind: 'run', filename: '/bin/echo', args: ['hello', 'world'] });
  t.true(sent.some((c) => c.kind === 'environment-set' && c.name === 'FOO' && c.value === 'bar'));
  t.true(sent.some((c) => c.kind === 'set-working-dir' && c.dir === '/tmp'));
  t.true(
    replies.some(
      (r) => r.toString('latin1') === 'W00' || /^W00;process:/.test(r.toString('latin1')),
    ),
  );
});
