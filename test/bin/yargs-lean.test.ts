// yargs without its help renderer (bin/yargs-lean.ts): the same parser, the help renderer
// (cliui and string-width, each building an Intl.Segmenter when loaded) left out until help or
// a usage error is to be printed, which the CLI then hands to the full yargs.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import test from 'ava';
import yargs from 'yargs';
import { HelpNeeded, leanYargs, type YargsFactory } from '../../bin/yargs-lean.js';
import { ntraceBin } from '../helpers/e2e-harness.js';

const run = promisify(execFile);

function parse(y: YargsFactory, args: string[]) {
  return y(args)
    .parserConfiguration({ 'halt-at-non-option': true, 'populate--': true })
    .option('once', { type: 'boolean' })
    .option('backend', { choices: ['auto', 'kernel', 'user'] as const, default: 'auto' as const })
    .option('disable-randomization', { type: 'boolean', default: true })
    .version('1.2.3')
    .help()
    .strict(false)
    .exitProcess(false)
    .parseSync();
}

test('parses as yargs does', async (t) => {
  const lean = await leanYargs();
  if (!lean) return t.fail('leanYargs() found no yargs factory');
  for (const args of [
    [':1234', './prog', '--flag', 'x'],
    ['--once', '--backend', 'user', ':0', 'prog'],
    ['--no-disable-randomization', '--', ':0', 'prog', '-x'],
  ]) {
    t.deepEqual(parse(lean, args), parse(yargs, args), args.join(' '));
  }
});

test('help and usage errors are left to the full yargs', async (t) => {
  const lean = await leanYargs();
  if (!lean) return t.fail('leanYargs() found no yargs factory');
  t.throws(() => parse(lean, ['--help']), { instanceOf: HelpNeeded });
  t.throws(() => parse(lean, ['--backend', 'bogus', ':0', 'prog']), { instanceOf: HelpNeeded });
});

test('it loads no help renderer (no Intl.Segmenter is built), where the full yargs does', async (t) => {
  // A fresh process each, counting Intl.Segmenter constructions while yargs loads.
  const count = async (body: string): Promise<string> => {
    const script = `
      let n = 0;
      const Real = Intl.Segmenter;
      Intl.Segmenter = class extends Real { constructor(...a) { super(...a); n++; } };
      ${body}
      console.log(n);`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: new URL('../../../', import.meta.url).pathname,
    });
    return stdout.trim();
  };
  const lean = new URL('../../bin/yargs-lean.js', import.meta.url).href;
  t.is(await count(`await (await import('${lean}')).leanYargs();`), '0');
  t.true(Number(await count(`await import('yargs');`)) > 0);
});

test('the CLI prints help and usage errors as yargs does', async (t) => {
  const { stdout } = await run(process.execPath, [ntraceBin, '--help']);
  t.regex(stdout, /Usage:\tntrace-gdbserver \[OPTIONS\] COMM PROG/);
  t.regex(stdout, /--backend +ntrace provider/);
  const err = await run(process.execPath, [ntraceBin, '--backend', 'bogus', ':0', 'prog']).catch(
    (e: { stderr: string; code: number }) => e,
  );
  t.is((err as { code: number }).code, 1);
  t.regex((err as { stderr: string }).stderr, /Invalid values:[\s\S]*Argument: backend/);
});
