// console.ts, threads.ts, vcont.ts, features.ts.
import test from 'ava';
import {
  consoleOutput,
  currentThread,
  formatFeatures,
  packetSizeFeature,
  threadListEnd,
  threadListPart,
  vContActions,
  vContReply,
} from '../../../rsp/index.js';

test('O packets carry hex text', (t) => {
  t.is(consoleOutput('hi\n'), 'O68690a');
  t.is(consoleOutput(Buffer.from([0xff])), 'Off');
});

test('qC and thread list replies', (t) => {
  t.is(currentThread({ pid: 0x4d2, tid: 0x4d3 }, { multiprocess: true }), 'QCp4d2.4d3');
  t.is(currentThread({ pid: 0x4d2, tid: 0x4d3 }, { multiprocess: false }), 'QC4d3');
  t.is(threadListPart([{ tid: 1 }, { tid: 0x1f }], { multiprocess: false }), 'm1,1f');
  t.is(threadListPart([{ pid: 2, tid: 3 }], { multiprocess: true }), 'mp2.3');
  t.is(threadListPart([], { multiprocess: true }), 'l');
  t.is(threadListEnd(), 'l');
});

test('vCont? reply', (t) => {
  t.is(vContActions(['c', 'C', 's', 'S', 't', 'r']), 'vCont;c;C;s;S;t;r');
  t.is(vContActions([]), 'vCont');
  t.is(vContReply({}), 'vCont;c;C;s;S');
  t.is(vContReply({ nonStop: true }), 'vCont;c;C;s;S;t');
  t.is(vContReply({ nonStop: true, rangeStep: true }), 'vCont;c;C;s;S;t;r');
});

test('qSupported reply: PacketSize in hex first', (t) => {
  t.is(
    formatFeatures([packetSizeFeature(0x4000), { name: 'swbreak', kind: 'flag', supported: true }]),
    'PacketSize=4000;swbreak+',
  );
});
