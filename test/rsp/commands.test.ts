import test from 'ava';
import fc from 'fast-check';
import { encodePacket, Framer, KNOWN_PREFIXES, parseCommand } from '../../rsp/index.js';
import { kindOf, parse } from './parse.js';

test('argument-less packets map to their kinds, exactly', (t) => {
  const cases: Array<[string, string]> = [
    ['?', 'query-stop-reason'],
    ['!', 'enable-extended-mode'],
    ['k', 'kill'],
    ['vCont?', 'vcont-query'],
    ['vCtrlC', 'interrupt'],
    ['vStopped', 'next-stop-notification'],
    ['vMustReplyEmpty', 'must-reply-empty'],
    ['qC', 'current-thread'],
    ['qfThreadInfo', 'thread-list-first'],
    ['qsThreadInfo', 'thread-list-next'],
    ['qOffsets', 'section-offsets'],
    ['QStartNoAckMode', 'start-no-ack-mode'],
    ['QEnvironmentReset', 'environment-reset'],
    ['qHostInfo', 'host-info'],
    ['qProcessInfo', 'process-info'],
    ['QThreadSuffixSupported', 'enable-thread-suffix'],
    ['QListThreadsInStopReply', 'enable-threads-in-stop-reply'],
    ['jThreadsInfo', 'threads-info'],
    ['QEnableErrorStrings', 'enable-error-strings'],
    ['qGDBServerVersion', 'server-version'],
    ['qLaunchSuccess', 'launch-success'],
    ['qShlibInfoAddr', 'shlib-info-addr'],
  ];
  for (const [packet, kind] of cases) t.deepEqual(parse(packet), { kind }, packet);
});

test('exact packets with extra text are unknown, not a malformed neighbour', (t) => {
  t.deepEqual(parse('qCfoo'), { kind: 'unknown', packet: 'qCfoo' });
  t.deepEqual(parse('kk'), { kind: 'unknown', packet: 'kk' });
  t.deepEqual(parse('vStoppedX'), { kind: 'unknown', packet: 'vStoppedX' });
});

test('prefix order: longer prefixes win over the shorter ones they begin with', (t) => {
  t.is(kindOf('qCRC:0,4'), 'crc'); // not qC
  t.is(kindOf('vCont?'), 'vcont-query'); // not vCont
  t.is(kindOf('vCont;c'), 'vcont');
  t.is(kindOf('vCtrlC'), 'interrupt');
  t.is(kindOf('qsThreadInfo'), 'thread-list-next'); // not qSymbol / qSearch
  t.is(kindOf('qSymbol::'), 'symbol-lookup-ready');
  t.is(kindOf('qSearch:memory:0;1;a'), 'search-memory');
  t.is(kindOf('qSupported'), 'supported-features');
  t.is(kindOf('QStartNoAckMode'), 'start-no-ack-mode');
  t.is(kindOf('QStartupWithShell:1'), 'startup-with-shell');
  t.is(kindOf('qThreadExtraInfo,1'), 'thread-extra-info');
  t.is(kindOf('qThreadStopInfo1'), 'thread-stop-info');
  t.is(kindOf('QThreadEvents:1'), 'thread-events');
  t.is(kindOf('QThreadSuffixSupported'), 'enable-thread-suffix');
  t.is(kindOf('_M10,rw'), 'allocate-memory');
  t.is(kindOf('_m1000'), 'deallocate-memory');
  t.is(kindOf('m10,1'), 'read-memory');
  t.is(kindOf('M10,1:00'), 'write-memory');
  t.is(kindOf('x10,1'), 'read-memory-binary');
  t.is(kindOf('X10,0:'), 'write-memory-binary');
});

test('unknown packets, including unsupported ones gdb and lldb probe with, are unknown', (t) => {
  for (const p of [
    '',
    'qTfSTM',
    'qVAttachOrWaitSupported',
    'jThreadExtendedInfo:{}',
    'qStructuredDataPlugins',
    'QThreadOptions;0',
    'qXfer',
    'bc',
    'i',
    'vFile:MD5:2f',
    'vFile:symlink:2f,2f',
    'vFile:',
    'QTDisconnected:1',
    'qModuleInfo:2f;78',
  ]) {
    t.deepEqual(parse(p), { kind: 'unknown', packet: p }, JSON.stringify(p));
  }
});

test('the table lists every prefix once', (t) => {
  t.is(new Set(KNOWN_PREFIXES).size, KNOWN_PREFIXES.length);
  t.true(KNOWN_PREFIXES.length > 60);
});

test('each known prefix gives a malformed value, not unknown, when its arguments are bad', (t) => {
  const bad = [
    'cxyz',
    'Cg',
    'sq',
    'S1;zz',
    'D;',
    'gx',
    'G0',
    'pzz',
    'P1',
    'm10',
    'M10,2:00',
    'xq,1',
    'X10,2:a',
    'Hx1',
    'Tz',
    'Z9,10,1',
    'z0,10',
    'vCont;q',
    'vRun;zz',
    'vAttach;',
    'vKill;q',
    'vFile:open:zz,0,0',
    'qSupported:=',
    'qXfer:features:read:target.xml:0',
    'qAttached:q',
    'qSymbol:zz:00',
    'qCRC:1',
    'qSearch:memory:1;2',
    'qThreadExtraInfo,',
    'qRcmd,6',
    'qGetTLSAddr:1,2',
    'qRegisterInfo',
    'qThreadStopInfo',
    'qMemoryRegionInfo:',
    'QNonStop:2',
    'QPassSignals:100',
    'QProgramSignals:x',
    'QCatchSyscalls:2',
    'QThreadEvents:',
    'QDisableRandomization:yes',
    'QEnvironmentHexEncoded:3d',
    'QEnvironmentUnset:',
    'QSetWorkingDir:2',
    'QStartupWithShell:',
    'QEnvironment:novalue',
    'QSetDisableASLR:',
    'QSetSTDERR:',
    'QSaveRegisterState;thread:zz;',
    'QRestoreRegisterState:x',
    '_M0,rw',
    '_mzz',
    'A1,0,6',
  ];
  for (const p of bad) {
    const c = parse(p);
    t.is(c.kind, 'malformed', p);
    if (c.kind === 'malformed') {
      t.is(c.packet, p);
      t.true(c.reason.length > 0);
    }
  }
});

test('property: parseCommand never throws on arbitrary bytes', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 120 }), (data) => {
      const c = parseCommand(Buffer.from(data));
      return typeof c.kind === 'string';
    }),
    { numRuns: 2000 },
  );
  t.pass();
});

test('property: every known prefix followed by random text never throws', (t) => {
  fc.assert(
    fc.property(
      fc.constantFrom(...KNOWN_PREFIXES),
      fc.string({
        unit: fc.constantFrom(...'0123456789abcdefxp-.,;:=+?#XrsStTcC'.split('')),
        maxLength: 40,
      }),
      (prefix, rest) => {
        const c = parseCommand(Buffer.from(prefix + rest, 'latin1'));
        return (
          c.kind !== 'malformed' || (c.reason.length > 0 && !c.reason.startsWith('parser failure'))
        );
      },
    ),
    { numRuns: 3000 },
  );
  t.pass();
});

// One well-formed packet of every kind, binary ones included.
const CORPUS = [
  '?',
  '!',
  'k',
  'c',
  'c401000',
  'C0b;401000',
  's',
  'S05',
  'D',
  'D;4d2',
  'D1',
  'g;thread:1;',
  'G0011',
  'p10',
  'P10=0011',
  'm1000,40',
  'M1000,2:cc90',
  'x1000,40',
  'X1000,4:#$}*',
  'Hgp1.2',
  'T1f',
  'R00',
  'Z0,401000,1;X2,2201;cmds:1,X1,01',
  'z2,601040,4',
  'vCont?',
  'vCont;s:p1.2;c',
  'vCtrlC',
  'vRun;2f62696e2f74727565;',
  'vAttach;4d2',
  'vKill;4d2',
  'vStopped',
  'vMustReplyEmpty',
  'vFile:open:2f746d70,0,0',
  'vFile:pwrite:3,0,\x00#*$',
  'vFile:setfs:0',
  'qSupported:multiprocess+;xmlRegisters=i386',
  'qXfer:features:read:target.xml:0,ffb',
  'qXfer:siginfo:write::0:}*',
  'qC',
  'qfThreadInfo',
  'qsThreadInfo',
  'qAttached:1',
  'qOffsets',
  'qSymbol::',
  'qCRC:0,10',
  'qSearch:memory:0;10;*#',
  'qThreadExtraInfo,1',
  'qRcmd,68656c70',
  'qGetTLSAddr:1,8,1000',
  'QStartNoAckMode',
  'QNonStop:1',
  'QPassSignals:e;',
  'QProgramSignals:',
  'QCatchSyscalls:1;3c',
  'QThreadEvents:1',
  'QDisableRandomization:1',
  'QEnvironmentHexEncoded:413d62',
  'QEnvironmentUnset:41',
  'QEnvironmentReset',
  'QSetWorkingDir:',
  'QStartupWithShell:0',
  'qHostInfo',
  'qProcessInfo',
  'qRegisterInfo1a',
  'QThreadSuffixSupported',
  'QListThreadsInStopReply',
  'jThreadsInfo',
  'qThreadStopInfo1',
  'qMemoryRegionInfo:1000',
  '_M1000,rwx',
  '_m1000',
  'QEnableErrorStrings',
  'qGDBServerVersion',
  'QSaveRegisterState',
  'QRestoreRegisterState:1',
  'qLaunchSuccess',
  'A4,0,2f62',
  'qShlibInfoAddr',
  'QSetSTDIN:2f',
  'QEnvironment:A=b',
];

test('every packet kind parses the same after framing at every split offset', (t) => {
  t.deepEqual(
    CORPUS.filter((p) => ['malformed', 'unknown'].includes(parse(p).kind)),
    [],
  );
  for (const text of CORPUS) {
    const body = Buffer.from(text, 'latin1');
    const expected = parseCommand(body);
    for (const rle of [false, true]) {
      const wire = encodePacket(body, { rle });
      for (let cut = 0; cut <= wire.length; cut++) {
        const framer = new Framer({ maxPacketSize: 4096 });
        const events = [...framer.push(wire.subarray(0, cut)), ...framer.push(wire.subarray(cut))];
        if (events.length !== 1 || events[0]!.type !== 'packet') {
          t.fail(`${text} split at ${cut}`);
          continue;
        }
        t.deepEqual(parseCommand(events[0]!.body), expected, `${text} split at ${cut}`);
      }
    }
  }
});
