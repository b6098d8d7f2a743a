// Differential: lldb-server-16's replies about a live process, against ours built from the same
// process's /proc files. Machine-dependent values (host, pids, mappings) are equal on both sides
// by construction, so what is compared is the format.
import test from 'ava';
import { amd64Layout, XCR0_AVX } from '../../../stub/arch/amd64-registers.js';
import {
  hostInfoReply,
  memoryRegionReply,
  processInfoReply,
  readHostFacts,
  readMaps,
  readProcessFacts,
  registerInfoReply,
} from '../../../stub/lldb/index.js';
import { compileFixture } from '../../helpers/compile.js';
import type { RspClient } from '../../helpers/rsp-client.js';
import { connectRsp, haveLldbServer, type LldbServer, startLldbServer } from './lldb-server.js';

// Skipped only where lldb-server-16 is not installed (.ci/run installs it): nothing to compare with.
const maybe = haveLldbServer ? test.serial : test.skip;

async function session(): Promise<{ server: LldbServer; client: RspClient; pid: number }> {
  const prog = await compileFixture('lldb-spin.c');
  const server = await startLldbServer(['--', prog]);
  const client = await connectRsp(server.port);
  await client.request('qSupported:xmlRegisters=i386,arm,mips,arc;multiprocess+');
  const info = await client.request('qProcessInfo');
  const pid = Number.parseInt(/^pid:([0-9a-f]+);/.exec(info)![1]!, 16);
  return { server, client, pid };
}

maybe('qHostInfo and qProcessInfo equal lldb-server on this machine', async (t) => {
  const { server, client, pid } = await session();
  try {
    t.is(hostInfoReply(await readHostFacts()), await client.request('qHostInfo'));
    t.is(processInfoReply(await readProcessFacts(pid)), await client.request('qProcessInfo'));
  } finally {
    // The server first: hung up on, lldb-server exits by itself and its debuggee runs on.
    await server.stop();
    client.close();
  }
});

maybe('qMemoryRegionInfo equals lldb-server at every mapping edge and gap', async (t) => {
  const { server, client, pid } = await session();
  try {
    // An anonymous rx block of lldb-server's own making, to have one without a name.
    const allocated = await client.request('_M1000,rx');
    t.regex(allocated, /^[0-9a-f]{16}$/);
    const maps = await readMaps(pid);
    const probes = new Set<bigint>([0n, 0x1000n, (1n << 64n) - 0x1000n]);
    for (const m of maps) {
      probes.add(m.start);
      probes.add(m.end - 1n);
      probes.add(m.end); // a gap, or the next mapping
    }
    t.true(probes.size > 10);
    for (const addr of probes) {
      const theirs = await client.request(`qMemoryRegionInfo:${addr.toString(16)}`);
      t.is(memoryRegionReply(maps, addr, { stackType: false }), theirs, addr.toString(16));
    }
    t.is(await client.request('qMemoryRegionInfo'), 'OK');
    t.is(await client.request(`_m${allocated}`), 'OK');
  } finally {
    // The server first: hung up on, lldb-server exits by itself and its debuggee runs on.
    await server.stop();
    client.close();
  }
});

maybe('qRegisterInfo equals lldb-server for every register both describe alike', async (t) => {
  const { server, client } = await session();
  try {
    const theirs = new Map<string, string>();
    for (let n = 0; ; n++) {
      const r = await client.request(`qRegisterInfo${n.toString(16)}`);
      if (r === 'E45') break;
      theirs.set(/^name:([^;]+);/.exec(r)![1]!, r);
    }
    const layout = amd64Layout(1088, 0x7n | XCR0_AVX);
    let same = 0;
    for (const [n, reg] of layout.regs.entries()) {
      const their = theirs.get(reg.name);
      // Same width, and a full register there too (lldb-server makes fiseg..fooff parts of
      // fip/fdp).
      if (!their?.includes(`;bitsize:${reg.size * 8};`) || their.includes('container-regs')) {
        continue;
      }
      const ours = registerInfoReply(layout, n);
      const withOurOffset = their.replace(/;offset:\d+;/, /;offset:\d+;/.exec(ours)![0]);
      t.is(ours, withOurOffset, reg.name);
      same++;
    }
    // rax..r15, rip, st0-7, xmm0-15, mxcsr at least.
    t.true(same >= 41, `only ${same} registers compared`);
  } finally {
    // The server first: hung up on, lldb-server exits by itself and its debuggee runs on.
    await server.stop();
    client.close();
  }
});
