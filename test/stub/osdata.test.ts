// qXfer:osdata tables built from this machine's /proc, checked against what the test process
// itself knows about itself.
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import test from 'ava';
import { osdataXml } from '../../stub/osdata/index.js';
import { procNetAddress } from '../../stub/osdata/system.js';
import { ctimeText } from '../../stub/osdata/sysvipc.js';

/** The items of a document as objects, column name -> value (the inverse of osdataDocument). */
function items(xml: string): Record<string, string>[] {
  const unescapeXml = (s: string) =>
    s
      .replaceAll('&lt;', '<')
      .replaceAll('&gt;', '>')
      .replaceAll('&quot;', '"')
      .replaceAll('&apos;', "'")
      .replaceAll('&amp;', '&');
  return [...xml.matchAll(/<item>(.*?)<\/item>/g)].map((m) =>
    Object.fromEntries(
      [...m[1]!.matchAll(/<column name="([^"]*)">([^<]*)<\/column>/g)].map((c) => [
        unescapeXml(c[1]!),
        unescapeXml(c[2]!),
      ]),
    ),
  );
}

test('an empty annex lists the types gdbserver offers; an unknown one is empty', (t) => {
  const types = items(osdataXml(''));
  t.deepEqual(
    types.map((i) => i.Type),
    [
      'cpus',
      'files',
      'modules',
      'msg',
      'processes',
      'procgroups',
      'semaphores',
      'shm',
      'sockets',
      'threads',
    ],
  );
  t.is(types[4]!.Title, 'Processes');
  t.is(osdataXml('unknown_entry'), '');
});

test('processes, procgroups, threads and files show this process', (t) => {
  const pid = String(process.pid);
  const me = items(osdataXml('processes')).find((i) => i.pid === pid);
  t.truthy(me);
  t.true(me!.command!.includes(process.argv[1]!));
  t.regex(me!.cores!, /^\d+(,\d+)*$/);
  const group = items(osdataXml('procgroups')).find((i) => i.pid === pid);
  t.is(group?.pgid, execFileSync('ps', ['-o', 'pgid=', '-p', pid]).toString().trim());
  const mine = items(osdataXml('threads')).filter((i) => i.pid === pid);
  t.true(mine.some((i) => i.tid === pid));
  t.is(mine[0]!.command, 'node');
  const fds = items(osdataXml('files')).filter((i) => i.pid === pid);
  t.true(fds.some((i) => i['file descriptor'] === '0'));
});

test('a listening socket appears with its port and state', async (t) => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
  const port = String((server.address() as { port: number }).port);
  const row = items(osdataXml('sockets')).find((i) => i['local port'] === port);
  server.close();
  t.like(row, {
    'local address': '0.0.0.0',
    'remote address': '0.0.0.0',
    'remote port': '0',
    state: 'LISTEN',
    family: 'INET',
    protocol: 'STREAM',
  });
});

test('/proc/net addresses are host-order words', (t) => {
  t.is(procNetAddress('0100007F', false), '127.0.0.1');
  t.is(procNetAddress('00000000000000000000000001000000', true), '::1');
  t.is(procNetAddress('0000000000000000FFFF00000100007F', true), '::ffff:127.0.0.1');
  t.is(procNetAddress('zz', false), undefined);
});

test('IPC times read like ctime(3); never is empty', (t) => {
  t.is(ctimeText(0), '');
  t.regex(ctimeText(1700000000), /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) Nov 1[45] \d\d:\d\d:\d\d 2023$/);
});
