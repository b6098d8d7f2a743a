// qMemoryRegionInfo (stub/handlers/memory-region-info.ts, lldbgdbremote.md): alone it says the
// packet is supported; with an address it describes the mapping from /proc/<pid>/maps, or the
// gap up to the next mapping. The fake process is this test's own, for real maps.
import { readFileSync } from 'node:fs';
import test from 'ava';
import { FakeTarget } from '../../helpers/fake-target.js';
import { connectSession } from '../../helpers/rsp-client.js';

const hex = (s: string) => Buffer.from(s).toString('hex');

/** The first mapping of our executable: file-backed, so it stays put while the test runs. */
function exeMapping(): { start: bigint; end: bigint; perms: string } {
  for (const line of readFileSync('/proc/self/maps', 'utf8').split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) (\S+) .* (\S+)$/.exec(line);
    if (m && m[4] === process.execPath)
      return { start: BigInt(`0x${m[1]}`), end: BigInt(`0x${m[2]}`), perms: m[3]! };
  }
  throw new Error('no mapping of the executable');
}

test('bare: supported', async (t) => {
  const h = await connectSession(new FakeTarget(process.pid, [process.pid]).asTarget());
  t.is(await h.client.request('qMemoryRegionInfo'), 'OK');
  await h.close();
});

test('an address inside a mapping: its start, size, permissions and name', async (t) => {
  const h = await connectSession(new FakeTarget(process.pid, [process.pid]).asTarget());
  const m = exeMapping();
  const perms = (m.perms.includes('r') ? 'r' : '') + (m.perms.includes('w') ? 'w' : '');
  const reply = await h.client.request(`qMemoryRegionInfo:${(m.start + 1n).toString(16)}`);
  t.true(
    reply.startsWith(`start:${m.start.toString(16)};size:${(m.end - m.start).toString(16)};`),
    reply,
  );
  t.regex(reply, new RegExp(`;permissions:${perms}x?;`));
  t.true(reply.includes(`;name:${hex(process.execPath)};`), reply);
  await h.close();
});

test('address 0, below every mapping: the gap, with no permissions', async (t) => {
  const h = await connectSession(new FakeTarget(process.pid, [process.pid]).asTarget());
  const reply = await h.client.request('qMemoryRegionInfo:0');
  t.regex(reply, /^start:0;size:[0-9a-f]+;$/);
  await h.close();
});
