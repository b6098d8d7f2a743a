// QTNotes (stub/handlers/trace-notes.ts): the user and notes qTStatus reports, and the tstop note
// that becomes the stop reason's text when gdb stops the run.
import test from 'ava';
import { connectSession } from '../../helpers/rsp-client.js';
import { define, tracedFake } from './_trace.js';

const hex = (s: string) => Buffer.from(s).toString('hex');

test('user and notes show in qTStatus; a note can be replaced alone', async (t) => {
  const h = await connectSession(tracedFake().asTarget());
  const req = (p: string) => h.client.request(p);
  t.regex(await req('qTStatus'), /;username:;notes::$/);
  t.is(await req(`QTNotes:user:${hex('ann')};notes:${hex('first run')};`), 'OK');
  t.regex(await req('qTStatus'), new RegExp(`;username:${hex('ann')};notes:${hex('first run')}:$`));
  t.is(await req(`QTNotes:notes:${hex('second')};`), 'OK');
  t.regex(await req('qTStatus'), new RegExp(`;username:${hex('ann')};notes:${hex('second')}:$`));
  await h.close();
});

test("the tstop note is the stop reason's text after QTStop", async (t) => {
  const h = await connectSession(tracedFake().asTarget());
  const req = (p: string) => h.client.request(p);
  await define(req, ['R1']);
  t.is(await req(`QTNotes:tstop:${hex('enough')};`), 'OK');
  await req('QTStart');
  await req('QTStop');
  t.regex(await req('qTStatus'), new RegExp(`^T0;tstop:${hex('enough')}:0;`));
  await h.close();
});

test('an unknown note type is refused and changes nothing', async (t) => {
  const h = await connectSession(tracedFake().asTarget());
  const req = (p: string) => h.client.request(p);
  t.regex(await req(`QTNotes:colour:${hex('red')};`), /^E/);
  t.regex(await req('qTStatus'), /;username:;notes::$/);
  await h.close();
});
