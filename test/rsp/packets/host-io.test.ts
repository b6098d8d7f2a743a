import test from 'ava';
import fc from 'fast-check';
import { encodePacket, Framer } from '../../../rsp/index.js';
import { parse } from '../parse.js';

const hex = (s: string) => Buffer.from(s).toString('hex');

test('vFile:open with hex path, flags and mode', (t) => {
  t.deepEqual(parse(`vFile:open:${hex('/tmp/a')},1,180`), {
    kind: 'file-open',
    path: '/tmp/a',
    flags: 1,
    mode: 0o600,
  });
  // LLDB pads numbers with zeros (lldbgdbremote.md, vFile:open example).
  t.deepEqual(parse(`vFile:open:${hex('/tmp/a')},00000001,00000180`), {
    kind: 'file-open',
    path: '/tmp/a',
    flags: 1,
    mode: 0o600,
  });
});

test('fd operations', (t) => {
  t.deepEqual(parse('vFile:close:7'), { kind: 'file-close', fd: 7 });
  t.deepEqual(parse('vFile:fstat:a'), { kind: 'file-fstat', fd: 10 });
  t.deepEqual(parse('vFile:pread:7,400,1000'), {
    kind: 'file-pread',
    fd: 7,
    count: 0x400,
    offset: 0x1000,
  });
  t.deepEqual(parse('vFile:pwrite:8,0,\xcf\xfa,\x00'), {
    kind: 'file-pwrite',
    fd: 8,
    offset: 0,
    data: Buffer.from([0xcf, 0xfa, 0x2c, 0x00]),
  });
  t.deepEqual(parse('vFile:setfs:0'), { kind: 'file-setfs', pid: 0 });
  t.deepEqual(parse('vFile:setfs:4d2'), { kind: 'file-setfs', pid: 0x4d2 });
});

test('path operations, GDB and LLDB', (t) => {
  const p = hex('/proc/self/exe');
  t.deepEqual(parse(`vFile:unlink:${p}`), { kind: 'file-unlink', path: '/proc/self/exe' });
  t.deepEqual(parse(`vFile:readlink:${p}`), { kind: 'file-readlink', path: '/proc/self/exe' });
  t.deepEqual(parse(`vFile:size:${p}`), { kind: 'file-size', path: '/proc/self/exe' });
  t.deepEqual(parse(`vFile:mode:${p}`), { kind: 'file-mode', path: '/proc/self/exe' });
  t.deepEqual(parse(`vFile:exists:${p}`), { kind: 'file-exists', path: '/proc/self/exe' });
});

test('malformed and unknown vFile packets', (t) => {
  for (const p of [
    'vFile:open:2f',
    'vFile:open:2,0,0',
    'vFile:open:2f,q,0',
    'vFile:close:',
    'vFile:close:1,2',
    'vFile:pread:1,2',
    'vFile:pwrite:1',
    'vFile:pwrite:x,0,a',
    'vFile:unlink:',
    'vFile:readlink:2',
    'vFile:setfs:',
    'vFile:fstat:-1',
  ]) {
    t.is(parse(p).kind, 'malformed', p);
  }
  t.deepEqual(parse('vFile:MD5:2f'), { kind: 'unknown', packet: 'vFile:MD5:2f' });
  t.deepEqual(parse('vFile:stat'), { kind: 'unknown', packet: 'vFile:stat' });
});

test('property: pwrite data survives escaping and framing exactly', (t) => {
  fc.assert(
    fc.property(
      fc.nat(1000),
      fc.nat(1 << 30),
      fc.uint8Array({ maxLength: 300 }),
      (fd, offset, data) => {
        const body = Buffer.concat([
          Buffer.from(`vFile:pwrite:${fd.toString(16)},${offset.toString(16)},`),
          data,
        ]);
        const ev = new Framer({ maxPacketSize: 2048 }).push(encodePacket(body));
        if (ev[0]?.type !== 'packet') return false;
        const c = parse(ev[0].body.toString('latin1'));
        return (
          c.kind === 'file-pwrite' &&
          c.fd === fd &&
          c.offset === offset &&
          c.data.equals(Buffer.from(data))
        );
      },
    ),
  );
  t.pass();
});

test('property: open paths round-trip through hex, including non-ASCII', (t) => {
  fc.assert(
    fc.property(fc.string({ minLength: 1, maxLength: 50 }), fc.nat(0xfff), (path, flags) => {
      const c = parse(`vFile:open:${hex(path)},${flags.toString(16)},1ed`);
      return c.kind === 'file-open' && c.path === path && c.flags === flags && c.mode === 0o755;
    }),
  );
  t.pass();
});
