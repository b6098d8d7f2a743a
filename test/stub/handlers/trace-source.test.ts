// QTDPsrc (stub/handlers/trace-source.ts): a tracepoint's source pieces, uploaded again by
// qTfP/qTsP in order; a piece sent in parts (start > 0) is joined to the one before.
import test from 'ava';
import { connectSession } from '../../helpers/rsp-client.js';
import { define, TP, tracedFake } from './_trace.js';

const hex = (s: string) => Buffer.from(s).toString('hex');
const ADDR = TP.toString(16);

/** Every piece qTfP/qTsP upload, until `l`. */
async function upload(req: (p: string) => Promise<string>): Promise<string[]> {
  const out: string[] = [];
  for (let r = await req('qTfP'); r !== 'l'; r = await req('qTsP')) out.push(r);
  return out;
}

test('source pieces are uploaded after the definition, in order', async (t) => {
  const h = await connectSession(tracedFake().asTarget());
  const req = (p: string) => h.client.request(p);
  await define(req, ['R1']);
  t.is(await req(`QTDPsrc:1:${ADDR}:at:0:8:${hex('main.c:7')}`), 'OK');
  t.is(await req(`QTDPsrc:1:${ADDR}:cmd:0:d:${hex('collect $regs')}`), 'OK');
  const pieces = await upload(req);
  t.is(pieces.length, 4, 'definition, action, two sources');
  t.is(pieces[2], `Z1:${ADDR}:at:0:8:${hex('main.c:7')}`);
  t.is(pieces[3], `Z1:${ADDR}:cmd:0:d:${hex('collect $regs')}`);
  await h.close();
});

test('a piece continued in a second packet is joined to the first', async (t) => {
  const h = await connectSession(tracedFake().asTarget());
  const req = (p: string) => h.client.request(p);
  await define(req, []);
  t.is(await req(`QTDPsrc:1:${ADDR}:cond:0:8:${hex('i == ')}`), 'OK');
  t.is(await req(`QTDPsrc:1:${ADDR}:cond:5:8:${hex('999')}`), 'OK');
  const pieces = await upload(req);
  t.is(pieces[pieces.length - 1], `Z1:${ADDR}:cond:0:8:${hex('i == 999')}`);
  await h.close();
});

test('a source for a tracepoint that does not exist is refused', async (t) => {
  const h = await connectSession(tracedFake().asTarget());
  const req = (p: string) => h.client.request(p);
  await define(req, []);
  t.regex(await req(`QTDPsrc:2:${ADDR}:at:0:4:${hex('x.c')}`), /^E/);
  await h.close();
});
