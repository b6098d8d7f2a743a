import test from 'ava';
import fc from 'fast-check';
import { type Feature, featureState, formatFeatures, parseFeature } from '../../../rsp/index.js';
import { parse } from '../parse.js';

test("gdb's qSupported list", (t) => {
  const c = parse(
    'qSupported:multiprocess+;swbreak+;hwbreak+;qRelocInsn+;fork-events+;vfork-events+;exec-events+;vContSupported+;QThreadEvents+;no-resumed+;memory-tagging+;xmlRegisters=i386',
  );
  t.is(c.kind, 'supported-features');
  if (c.kind !== 'supported-features') return;
  t.is(c.features.length, 12);
  t.deepEqual(c.features[0], { name: 'multiprocess', kind: 'flag', supported: true });
  t.deepEqual(c.features[11], { name: 'xmlRegisters', kind: 'value', value: 'i386' });
  t.is(featureState(c.features, 'swbreak'), true);
  t.is(featureState(c.features, 'xmlRegisters'), 'i386');
  t.is(featureState(c.features, 'binary-upload'), undefined);
});

test("lldb's list, values with commas, and -/? forms", (t) => {
  const c = parse('qSupported:xmlRegisters=i386,arm,mips,arc;multiprocess+;fork-events-;foo?');
  t.deepEqual(c, {
    kind: 'supported-features',
    features: [
      { name: 'xmlRegisters', kind: 'value', value: 'i386,arm,mips,arc' },
      { name: 'multiprocess', kind: 'flag', supported: true },
      { name: 'fork-events', kind: 'flag', supported: false },
      { name: 'foo', kind: 'query' },
    ],
  });
  if (c.kind === 'supported-features') {
    t.is(featureState(c.features, 'fork-events'), false);
    t.is(featureState(c.features, 'foo'), 'query');
  }
});

test('bare qSupported and empty items', (t) => {
  t.deepEqual(parse('qSupported'), { kind: 'supported-features', features: [] });
  t.deepEqual(parse('qSupported:'), { kind: 'supported-features', features: [] });
  t.deepEqual(parse('qSupported:a+;;b-'), {
    kind: 'supported-features',
    features: [
      { name: 'a', kind: 'flag', supported: true },
      { name: 'b', kind: 'flag', supported: false },
    ],
  });
});

test('malformed feature items', (t) => {
  for (const p of ['qSupported:foo', 'qSupported:+', 'qSupported:=1', 'qSupportedX']) {
    t.is(parse(p).kind, 'malformed', p);
  }
  t.is(parseFeature('a'), undefined);
});

test('formatFeatures writes the stub reply', (t) => {
  t.is(
    formatFeatures([
      { name: 'PacketSize', kind: 'value', value: '4000' },
      { name: 'qXfer:features:read', kind: 'flag', supported: true },
      { name: 'QNonStop', kind: 'flag', supported: false },
      { name: 'x', kind: 'query' },
    ]),
    'PacketSize=4000;qXfer:features:read+;QNonStop-;x?',
  );
});

const name = fc.string({
  unit: fc.constantFrom(...'abcdefgXYZ:-_'.split('')),
  minLength: 1,
  maxLength: 12,
});
const feature: fc.Arbitrary<Feature> = fc.oneof(
  fc.tuple(name, fc.boolean()).map(([n, s]) => ({ name: n, kind: 'flag' as const, supported: s })),
  name.map((n) => ({ name: n, kind: 'query' as const })),
  fc
    .tuple(
      name,
      fc.string({ unit: fc.constantFrom(...'0123456789abc,='.split('')), maxLength: 10 }),
    )
    .map(([n, v]) => ({ name: n, kind: 'value' as const, value: v })),
);

test('property: formatFeatures then parse gives the same features', (t) => {
  fc.assert(
    fc.property(fc.array(feature, { minLength: 1, maxLength: 8 }), (features) => {
      t.deepEqual(parse('qSupported:' + formatFeatures(features)), {
        kind: 'supported-features',
        features,
      });
      return true;
    }),
    { numRuns: 200 },
  );
});
