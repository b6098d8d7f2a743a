import test from 'ava';
import fc from 'fast-check';
import { xferChunk, xferWritten } from '../../../rsp/index.js';

const data = Buffer.from('<target>0123456789</target>');

test('m while more follows, l for the last part', (t) => {
  t.is(xferChunk(data, 0, 8).toString(), 'm<target>');
  t.is(xferChunk(data, 8, 10).toString(), 'm0123456789');
  t.is(xferChunk(data, 18, 100).toString(), 'l</target>');
  t.is(xferChunk(data, 18, 9).toString(), 'l</target>');
  t.is(xferChunk(data, data.length, 10).toString(), 'l');
  t.is(xferChunk(data, 1000, 10).toString(), 'l');
  t.is(xferChunk(data, 0, 0).toString(), 'm');
  t.is(xferChunk(Buffer.alloc(0), 0, 10).toString(), 'l');
});

test('xferWritten is hex', (t) => {
  t.is(xferWritten(0x80), '80');
});

test('property: reading window by window reassembles the object', (t) => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 500 }),
      fc.integer({ min: 1, max: 64 }),
      (obj, window) => {
        const parts: Buffer[] = [];
        let offset = 0;
        for (let guard = 0; guard < 1000; guard++) {
          const reply = xferChunk(obj, offset, window);
          parts.push(reply.subarray(1));
          offset += reply.length - 1;
          if (reply[0] === 0x6c) return Buffer.concat(parts).equals(Buffer.from(obj));
          if (reply[0] !== 0x6d || reply.length - 1 !== window) return false;
        }
        return false;
      },
    ),
  );
  t.pass();
});
