import test from 'ava';
import { llvmJson } from '../../../rsp/replies/json.js';

test('llvm JSON escaping of control characters', (t) => {
  t.is(llvmJson('a\tb\nc\rd\u0001e\\f"'), '"a\\tb\\nc\\rd\\u0001e\\\\f\\""');
  t.is(llvmJson({ b: [1, true, null], a: 'x' }), '{"a":"x","b":[1,true,null]}');
  t.throws(() => llvmJson(Number.NaN));
});
