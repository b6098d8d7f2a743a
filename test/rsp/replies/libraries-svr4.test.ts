import test from 'ava';
import { librariesSvr4Document } from '../../../rsp/replies/libraries-svr4.js';

test('svr4 library list: main-lm, then each library with its lmid', (t) => {
  t.is(
    librariesSvr4Document(0x1000n, [
      { name: '/lib/libc&.so', lm: 0x2000n, lAddr: 0x7f00n, lLd: 0x7f10n, lmid: 0x500n },
    ]),
    '<library-list-svr4 version="1.0" main-lm="0x1000">' +
      '<library name="/lib/libc&#38;.so" lm="0x2000" l_addr="0x7f00" l_ld="0x7f10" lmid="0x500"/>' +
      '</library-list-svr4>',
  );
});

test('svr4 library list before the dynamic linker made one is empty', (t) => {
  t.is(librariesSvr4Document(undefined, []), '<library-list-svr4 version="1.0"/>');
});
