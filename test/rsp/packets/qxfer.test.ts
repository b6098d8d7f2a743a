import test from 'ava';
import { parse } from '../parse.js';

test('qXfer reads', (t) => {
  t.deepEqual(parse('qXfer:features:read:target.xml:0,ffb'), {
    kind: 'xfer-read',
    object: 'features',
    annex: 'target.xml',
    offset: 0,
    length: 0xffb,
  });
  t.deepEqual(parse('qXfer:auxv:read::1000,800'), {
    kind: 'xfer-read',
    object: 'auxv',
    annex: '',
    offset: 0x1000,
    length: 0x800,
  });
  t.deepEqual(parse('qXfer:libraries-svr4:read:start=7ffff7ffd9e8;prev=0:0,fff'), {
    kind: 'xfer-read',
    object: 'libraries-svr4',
    annex: 'start=7ffff7ffd9e8;prev=0',
    offset: 0,
    length: 0xfff,
  });
});

test('qXfer writes carry binary data that may contain colons', (t) => {
  t.deepEqual(parse('qXfer:siginfo:write::0:\x05:\x00#'), {
    kind: 'xfer-write',
    object: 'siginfo',
    annex: '',
    offset: 0,
    data: Buffer.from([5, 0x3a, 0, 0x23]),
  });
  t.deepEqual(parse('qXfer:siginfo:write::10:'), {
    kind: 'xfer-write',
    object: 'siginfo',
    annex: '',
    offset: 16,
    data: Buffer.alloc(0),
  });
});

test('malformed qXfer', (t) => {
  for (const p of [
    'qXfer:',
    'qXfer:features',
    'qXfer:features:read',
    'qXfer:features:read:target.xml',
    'qXfer:features:read:target.xml:0',
    'qXfer:features:read:target.xml:0,',
    'qXfer:features:read:target.xml:z,1',
    'qXfer:features:read:target.xml:0,1,2',
    'qXfer:features:erase:target.xml:0,1',
    'qXfer::read::0,1',
    'qXfer:siginfo:write::0',
    'qXfer:siginfo:write::q:00',
  ]) {
    t.is(parse(p).kind, 'malformed', p);
  }
});
