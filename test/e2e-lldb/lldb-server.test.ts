// Every LLDB scenario against lldb-server-16, the reference: this pins what LLDB prints when the
// server does everything right, which the differential tests then demand of ntrace-gdbserver.
import test from 'ava';
import { haveLldb, haveLldbServer } from './harness.js';
import { runScenario, SCENARIOS } from './scenarios.js';

const available = haveLldb && haveLldbServer;

for (const scenario of SCENARIOS) {
  // Skipped only where lldb-16 or lldb-server-16 is not installed (.ci/run installs both):
  // without the tools there is nothing to compare with; say so rather than pass.
  const run = available ? test.serial : test.skip;
  run(`lldb-server-16: ${scenario.name}`, async (t) => {
    await runScenario('lldb-server', scenario, async (r) => {
      t.log(r.stdout);
      if (r.stderr.trim()) t.log(r.stderr);
      await scenario.check(t, r);
    });
  });
}
