// The codec against a real gdbserver (Debian's, GDB 13): its replies use run-length encoding
// and `}` escapes, so decoding them exercises the framer on the reference encoder's output, and
// our packets must pass gdbserver's checksum and unescaping.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import {
  featureState,
  formatFeatures,
  hexToBuffer,
  leBytesToBigint,
  parseCommand,
  parseFeature,
  parseStopReply,
  textToHex,
} from '../../../rsp/index.js';
import { GdbserverPeer } from './peer.js';

const PROGRAM = '/bin/true';

async function withPeer(fn: (peer: GdbserverPeer) => Promise<void>): Promise<void> {
  const peer = new GdbserverPeer(PROGRAM);
  try {
    await fn(peer);
  } finally {
    await peer.close();
  }
}

test('qSupported: the reply parses as features and formats back identically', async (t) => {
  await withPeer(async (peer) => {
    const reply = (
      await peer.request('qSupported:multiprocess+;swbreak+;xmlRegisters=i386')
    ).toString('latin1');
    const features = reply.split(';').map(parseFeature);
    t.true(features.every((f) => f !== undefined));
    const list = features.filter((f) => f !== undefined);
    t.is(formatFeatures(list), reply);
    t.is(featureState(list, 'multiprocess'), true);
    const size = featureState(list, 'PacketSize');
    t.is(typeof size, 'string');
    t.regex(String(size), /^[0-9a-f]+$/);
    // Our own parser reads the same list when sent as a request.
    const asRequest = parseCommand(Buffer.from(`qSupported:${reply}`, 'latin1'));
    t.true(asRequest.kind === 'supported-features' && asRequest.features.length === list.length);
  });
});

test('? and g: run-length encoded replies decode, and agree with each other', async (t) => {
  await withPeer(async (peer) => {
    await peer.request('qSupported:multiprocess+');
    const stopText = (await peer.request('?')).toString('latin1');
    const stop = parseStopReply(stopText);
    t.true(stop.ok, stopText);
    if (!stop.ok || stop.value.kind !== 'T') return t.fail(stopText);
    t.is(stop.value.signal, 5);
    t.true(stop.value.thread !== undefined && stop.value.thread.pid === stop.value.thread.tid);
    const rip = stop.value.registers?.find((r) => r.regnum === 0x10);
    t.truthy(rip);
    t.is(rip?.value.length, 8);
    // The raw wire used `*`, so the framer really expanded runs.
    t.true(Buffer.concat(peer.raw).includes('*'));

    const g = (await peer.request('g')).toString('latin1');
    const regs = hexToBuffer(g);
    t.true(regs.ok, 'g reply is clean hex after RLE expansion');
    if (!regs.ok || !rip) return;
    // amd64 g layout: 16 GPRs of 8 bytes, then rip.
    t.is(leBytesToBigint(regs.value.subarray(128, 136)), leBytesToBigint(rip.value));
  });
});

test('X with every special byte is unescaped by gdbserver; m reads it back', async (t) => {
  await withPeer(async (peer) => {
    await peer.request('qSupported:multiprocess+');
    const stop = parseStopReply((await peer.request('?')).toString('latin1'));
    if (!stop.ok || stop.value.kind !== 'T') return t.fail('no stop');
    const rspReg = stop.value.registers?.find((r) => r.regnum === 7);
    if (!rspReg) return t.fail('no rsp');
    const addr = leBytesToBigint(rspReg.value) - 256n;
    const data = Buffer.from([
      0x23, 0x24, 0x7d, 0x2a, 0x00, 0x03, 0x2a, 0x2a, 0x2a, 0x2a, 0x2a, 0xff,
    ]);
    const header = Buffer.from(`X${addr.toString(16)},${data.length.toString(16)}:`);
    t.is((await peer.request(Buffer.concat([header, data]))).toString(), 'OK');
    const back = (await peer.request(`m${addr.toString(16)},${data.length.toString(16)}`)).toString(
      'latin1',
    );
    t.is(back, data.toString('hex'));
  });
});

test('vFile:pread returns escaped binary that the framer restores exactly', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rsp-interop-'));
  try {
    const content = Buffer.alloc(600);
    for (let i = 0; i < content.length; i++) content[i] = i < 512 ? i & 0xff : 0x2a; // ends in a run of `*`
    const file = join(dir, 'bytes.bin');
    writeFileSync(file, content);
    await withPeer(async (peer) => {
      const open = (await peer.request(`vFile:open:${textToHex(file)},0,0`)).toString('latin1');
      t.regex(open, /^F[0-9a-f]+$/);
      const fd = open.slice(1);
      const reply = await peer.request(`vFile:pread:${fd},400,0`);
      const semi = reply.indexOf(0x3b);
      t.is(reply.subarray(0, semi).toString(), `F${content.length.toString(16)}`);
      t.true(reply.subarray(semi + 1).equals(content));
      t.is((await peer.request(`vFile:close:${fd}`)).toString(), 'F0');
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('qXfer:auxv:read windows of escaped binary reassemble to /proc/<pid>/auxv', async (t) => {
  await withPeer(async (peer) => {
    await peer.request('qSupported:multiprocess+');
    const stop = parseStopReply((await peer.request('?')).toString('latin1'));
    if (!stop.ok || stop.value.kind !== 'T' || typeof stop.value.thread?.pid !== 'number') {
      return t.fail('no stop with a pid');
    }
    const expected = readFileSync(`/proc/${stop.value.thread.pid}/auxv`);
    const parts: Buffer[] = [];
    let offset = 0;
    for (;;) {
      const reply = await peer.request(`qXfer:auxv:read::${offset.toString(16)},100`);
      t.true(reply[0] === 0x6d || reply[0] === 0x6c);
      parts.push(reply.subarray(1));
      offset += reply.length - 1;
      if (reply[0] === 0x6c) break;
    }
    t.true(parts.length > 1, 'several windows');
    t.true(Buffer.concat(parts).equals(expected));
  });
});
