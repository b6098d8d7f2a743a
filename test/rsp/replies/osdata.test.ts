import test from 'ava';
import { osdataDocument } from '../../../rsp/index.js';

test('osdata documents are laid out as gdbserver writes them, values escaped', (t) => {
  const doc = osdataDocument('processes', [
    [
      ['pid', '1'],
      ['command', 'sh -c "a<b" & \'c\''],
    ],
    [['pid', '2']],
  ]);
  t.is(
    doc,
    '<osdata type="processes">\n' +
      '<item><column name="pid">1</column>' +
      '<column name="command">sh -c &quot;a&lt;b&quot; &amp; &apos;c&apos;</column></item>' +
      '<item><column name="pid">2</column></item>' +
      '</osdata>\n',
  );
  t.is(osdataDocument('types', []), '<osdata type="types">\n</osdata>\n');
});
