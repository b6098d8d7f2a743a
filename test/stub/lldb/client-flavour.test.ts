import test from 'ava';
import { parseSupportedFeatures } from '../../../rsp/packets/supported-features.js';
import { detectClientFlavour } from '../../../stub/lldb/client-flavour.js';

function flavourOf(packet: string) {
  const cmd = parseSupportedFeatures(packet);
  if (cmd.kind !== 'supported-features') throw new Error(cmd.reason);
  return detectClientFlavour(cmd.features);
}

test('LLDB 16 qSupported', (t) => {
  t.is(
    flavourOf('qSupported:xmlRegisters=i386,arm,mips,arc;multiprocess+;fork-events+;vfork-events+'),
    'lldb',
  );
});

test('LLDB 19+ qSupported with swbreak/hwbreak', (t) => {
  t.is(
    flavourOf(
      'qSupported:xmlRegisters=i386,arm,mips,arc;multiprocess+;fork-events+;vfork-events+;swbreak+;hwbreak+',
    ),
    'lldb',
  );
});

test('GDB 13 qSupported, which also carries xmlRegisters=i386', (t) => {
  t.is(
    flavourOf(
      'qSupported:multiprocess+;swbreak+;hwbreak+;qRelocInsn+;fork-events+;vfork-events+;exec-events+;vContSupported+;QThreadEvents+;no-resumed+;memory-tagging+;xmlRegisters=i386',
    ),
    'gdb',
  );
});

test('an old GDB without vContSupported is still GDB (qRelocInsn)', (t) => {
  t.is(flavourOf('qSupported:multiprocess+;qRelocInsn+;xmlRegisters=i386'), 'gdb');
});

test('no features at all: unknown', (t) => {
  t.is(flavourOf('qSupported'), 'unknown');
  t.is(detectClientFlavour(['multiprocess+']), 'unknown');
});

test('raw feature strings work too', (t) => {
  t.is(detectClientFlavour(['xmlRegisters=i386,arm,mips', 'multiprocess+']), 'lldb');
  t.is(detectClientFlavour(['xmlRegisters=i386', 'qRelocInsn+']), 'gdb');
});
