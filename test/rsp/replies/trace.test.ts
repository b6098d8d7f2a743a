// rsp/replies/trace.ts: qTStatus, QTFrame, qTP, the upload pieces, qTV, traceframe-info and
// register replies with unavailable bytes.
import test from 'ava';
import {
  partialRegisters,
  traceFrameReply,
  traceframeInfoXml,
  tracepointActionPiece,
  tracepointPiece,
  tracepointSourcePiece,
  tracepointUsageReply,
  traceStatusReply,
  traceVariablePiece,
  traceVariableValueReply,
} from '../../../rsp/replies/trace.js';

const status = {
  running: false,
  stopReason: 'tnotrun',
  stopTracepoint: 0,
  frames: 0,
  created: 0,
  free: 0x500000,
  size: 0x500000,
  circular: false,
  disconnected: false,
  startTime: 0,
  stopTime: 0,
  user: '',
  notes: '',
};

test('qTStatus as gdbserver writes it', (t) => {
  t.is(
    traceStatusReply(status),
    'T0;tnotrun:0;tframes:0;tcreated:0;tfree:500000;tsize:500000;circular:0;disconn:0;' +
      'starttime:0;stoptime:0;username:;notes::',
  );
  t.regex(
    traceStatusReply({ ...status, stopReason: 'tstop', stopText: 'hi', user: 'me' }),
    /^T0;tstop:6869:0;.*username:6d65;notes::$/,
  );
  t.regex(
    traceStatusReply({ ...status, stopReason: 'terror', stopTracepoint: 3, stopText: 'x' }),
    /^T0;terror:78:3;/,
  );
  t.regex(traceStatusReply({ ...status, running: true, frames: 17 }), /^T1;.*tframes:11;/);
});

test('QTFrame, qTP, qTV replies', (t) => {
  t.is(traceFrameReply({ frame: 10, tracepoint: 2 }), 'Fa' + 'T2');
  t.is(traceFrameReply(undefined), 'F-1');
  t.is(tracepointUsageReply(16, 255), 'V10:ff');
  t.is(traceVariableValueReply(-1n), 'Vffffffffffffffff');
  t.is(traceVariableValueReply(undefined), 'U');
});

test('upload pieces imitate QTDP, QTDPsrc and QTDV', (t) => {
  t.is(
    tracepointPiece({ number: 2, addr: 0x401000n, enabled: true, stepCount: 0, passCount: 3 }),
    'T2:401000:E:0:3',
  );
  t.is(
    tracepointPiece({
      number: 2,
      addr: 0x401000n,
      enabled: false,
      stepCount: 1,
      passCount: 0,
      condition: Buffer.from([0x22, 1, 0x27]),
    }),
    'T2:401000:D:1:0:X3,220127',
  );
  t.is(tracepointActionPiece(2, 0x401000n, 'M-1,10,4', true), 'S2:401000:M-1,10,4');
  t.is(tracepointSourcePiece(2, 0x401000n, 'at', 'f'), 'Z2:401000:at:0:1:66');
  t.is(traceVariablePiece(1, -2n, 'v'), '1:fffffffffffffffe:0:76');
});

test('traceframe-info and partial registers', (t) => {
  t.is(
    traceframeInfoXml([{ addr: 0x601040n, length: 4 }], [3]),
    '<traceframe-info>\n<memory start="0x601040" length="0x4"/>\n<tvar id="3"/>\n</traceframe-info>\n',
  );
  t.is(partialRegisters([2, Buffer.from([0xab]), 1]), 'xxxxabxx');
});
