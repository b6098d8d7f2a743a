// Every LLDB scenario against ntrace-gdbserver, compared section by section with the same
// session against lldb-server-16 (after normalisation), and held to the same checks.
import test from 'ava';
import { haveLldb, haveLldbServer, sectionOf } from './harness.js';
import { runScenario, type Scenario, SCENARIOS, type ScenarioResult } from './scenarios.js';

const available = haveLldb && haveLldbServer;

function compare(
  t: import('ava').ExecutionContext,
  scenario: Scenario,
  ours: ScenarioResult,
  ref: ScenarioResult,
) {
  for (const [command, nth] of scenario.compare) {
    t.is(sectionOf(ours, command, nth), sectionOf(ref, command, nth), `"${command}" #${nth}`);
  }
}

for (const scenario of SCENARIOS) {
  const title = `ntrace-gdbserver vs lldb-server-16: ${scenario.name}`;
  const body = async (t: import('ava').ExecutionContext) => {
    const ref = await runScenario('lldb-server', scenario);
    await runScenario('ntrace', scenario, async (ours) => {
      t.log(ours.stdout);
      if (ours.stderr.trim()) t.log(ours.stderr);
      compare(t, scenario, ours, ref);
      await scenario.check(t, ours);
    });
  };
  // Skipped only where lldb-16 or lldb-server-16 is not installed (.ci/run installs both).
  if (!available) test.skip(title, body);
  else test.serial(title, body);
}
