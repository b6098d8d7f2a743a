import test from 'ava';
import { threadsDocument } from '../../../rsp/replies/threads-document.js';

test('threads document: id always, core in hex and an escaped name when known', (t) => {
  t.is(
    threadsDocument([{ id: 'p10.10', core: 11, name: 'a<b>&"c\'' }, { id: 'p10.12' }]),
    '<?xml version="1.0"?>\n<threads>\n' +
      '<thread id="p10.10" core="b" name="a&#60;b&#62;&#38;&#34;c&#39;"/>\n' +
      '<thread id="p10.12"/>\n' +
      '</threads>\n',
  );
});

test('threads document with no threads', (t) => {
  t.is(threadsDocument([]), '<?xml version="1.0"?>\n<threads>\n</threads>\n');
});
