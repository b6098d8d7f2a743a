// Every LLDB scenario against lldb-server-16, the reference: this pins what LLDB prints when the
// server does everything right, which the differential tests then demand of ntrace-gdbserver.
import test from 'ava';
import { haveLldb, haveLldbServer } from './harness.js';
import { hardwareDebugWorks, NO_HW_DEBUG } from '../helpers/hw-debug.js';
import { runScenario, SCENARIOS } from './scenarios.js';

const available = haveLldb && haveLldbServer;

const hwDebug = await hardwareDebugWorks();

for (const scenario of SCENARIOS) {
  // Skipped only where lldb-16 or lldb-server-16 is not installed (.ci/run installs both):
  // without the tools there is nothing to compare with; say so rather than pass.
  // A watchpoint scenario also needs debug registers that trigger on this machine.
  const hwMissing = scenario.needsHardwareDebug === true && !hwDebug;
  // Skipped without lldb-16/lldb-server-16 or, for a watch scenario, working debug registers.
  const run = available && !hwMissing ? test.serial : test.skip;
  const title = `lldb-server-16: ${scenario.name}`;
  run(hwMissing ? `${title} [skipped: ${NO_HW_DEBUG}]` : title, async (t) => {
    await runScenario('lldb-server', scenario, async (r) => {
      t.log(r.stdout);
      if (r.stderr.trim()) t.log(r.stderr);
      await scenario.check(t, r);
    });
  });
}
