// Every LLDB scenario against ntrace-gdbserver, compared section by section with the same
// session against lldb-server-16 (after normalisation), and held to the same checks.
import test from 'ava';
import { haveLldb, haveLldbServer, sectionOf } from './harness.js';
import { hardwareDebugWorks, NO_HW_DEBUG } from '../helpers/hw-debug.js';
import { runScenario, type Scenario, SCENARIOS, type ScenarioResult } from './scenarios.js';

const hwDebug = await hardwareDebugWorks();

const available = haveLldb && haveLldbServer;

/**
 * LLDB's event thread prints a stop it learns of in async mode (after `process interrupt`) when
 * it gets to it, which can be inside the output of a later command on either server: before or
 * after that command's own thread listing (`bt`). Such a report is not the command's output and
 * is left out of the comparison. A section that is a stop report and nothing else (`process
 * status`), or whose stop report follows other output (`continue`), is kept whole.
 */
function withoutAsyncStopReport(section: string): string {
  const lines = section.split('\n');
  const at = lines.indexOf('Process N stopped');
  const listing = (l: string) => l.startsWith('* thread #');
  if (at < 0 || (at > 0 && !listing(lines[0]!))) return section;
  let end = lines.findIndex((l, i) => i > at + 1 && listing(l));
  if (end < 0) end = lines.length;
  if (at === 0 && end === lines.length) return section;
  return [...lines.slice(0, at), ...lines.slice(end)].join('\n');
}

function compare(
  t: import('ava').ExecutionContext,
  scenario: Scenario,
  ours: ScenarioResult,
  ref: ScenarioResult,
) {
  for (const [command, nth] of scenario.compare) {
    t.is(
      withoutAsyncStopReport(sectionOf(ours, command, nth)),
      withoutAsyncStopReport(sectionOf(ref, command, nth)),
      `"${command}" #${nth}`,
    );
  }
}

test('a late async stop report is left out of the next section, its own listing kept', (t) => {
  const own = "* thread #1, name = 'spin', stop reason = signal SIGSTOP\nframe #0: 0xADDR spin";
  const late = `Process N stopped\n${own}\n9 for (;;) spins++;\n12`;
  t.is(withoutAsyncStopReport(`${late}\n${own}`), own);
  t.is(withoutAsyncStopReport(own), own);
  t.is(withoutAsyncStopReport(`${own}\n${late}`), own);
  // A section that is only a stop report (`process status`) is its command's own output, and
  // so is one after other output (`continue`).
  t.is(withoutAsyncStopReport(late), late);
  t.is(withoutAsyncStopReport(`Process N resuming\n${late}`), `Process N resuming\n${late}`);
});

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
  // Skipped only where lldb-16 or lldb-server-16 is not installed (.ci/run installs both), or
  // for a watchpoint scenario on a machine whose debug registers never trigger.
  if (!available) test.skip(title, body);
  else if (scenario.needsHardwareDebug && !hwDebug)
    // Debug registers that never trigger here: the title names it.
    test.skip(`${title} [skipped: ${NO_HW_DEBUG}]`, body);
  else test.serial(title, body);
}
