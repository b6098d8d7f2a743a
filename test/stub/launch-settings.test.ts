import { execFileSync } from 'node:child_process';
import { homedir } from 'node:os';
import test from 'ava';
import fc from 'fast-check';
import { LaunchSettings, shellCommand, shellQuote } from '../../stub/launch-settings.js';

/** What /bin/sh makes of `exec printf '%s\0' ARGS...`: the words the program would get. */
function shellWords(words: string[]): string[] {
  // A leading marker, since printf with no words still prints its format once.
  const out = execFileSync('/bin/sh', ['-c', shellCommand(['printf', '%s\\0', '-', ...words])]);
  const parts = out.toString('utf8').split('\0');
  parts.pop();
  return parts.slice(1);
}

test('quoted words reach the program unchanged through /bin/sh', (t) => {
  const tricky = ["it's", 'say "hi"', '$HOME', '*', '', 'a b\tc', '`id`', '\\', 'x;y|z&', '~'];
  t.deepEqual(shellWords(tricky), tricky);
});

test('any printable word survives shell quoting', (t) => {
  fc.assert(
    fc.property(
      fc.array(
        fc.string({ unit: 'grapheme-ascii' }).filter((w) => !w.includes('\0')),
        { maxLength: 6 },
      ),
      (words) => {
        t.deepEqual(shellWords(words), words);
      },
    ),
    { numRuns: 40 },
  );
});

test('plain words stay unquoted, others get single quotes', (t) => {
  t.is(shellQuote('/usr/bin/prog'), '/usr/bin/prog');
  t.is(shellQuote('a b'), "'a b'");
  t.is(shellQuote("it's"), `'it'\\''s'`);
  t.is(shellQuote(''), "''");
});

test('vRun with no program reuses the last one, with or without new arguments', (t) => {
  const s = new LaunchSettings({ PATH: '/bin' });
  t.is(s.request('', []), undefined);
  t.deepEqual(s.request('/bin/prog', ['a', 'b'])?.argv, ['/bin/prog', 'a', 'b']);
  t.deepEqual(s.request('', [])?.argv, ['/bin/prog', 'a', 'b']);
  t.deepEqual(s.request('', ['c'])?.argv, ['/bin/prog', 'c']);
});

test('environment edits apply on top of the initial environment; reset restores it', (t) => {
  const s = new LaunchSettings({ PATH: '/bin', GONE: '1' });
  // Untouched: the provider's own environment (no env in the request).
  t.is(s.request('/p', [])?.env, undefined);
  s.setEnv('NEW', 'two words');
  s.unsetEnv('GONE');
  t.deepEqual(s.request('/p', [])?.env?.sort(), ['NEW=two words', 'PATH=/bin']);
  s.resetEnv();
  t.is(s.request('/p', [])?.env, undefined);
  s.unsetEnv('PATH');
  t.deepEqual(s.request('/p', [])?.env, ['GONE=1']);
});

test('working directory, shell and randomisation settings are carried into the request', (t) => {
  const s = new LaunchSettings({});
  const first = s.request('/p', [])!;
  t.true(first.shell);
  t.true(first.disableAslr);
  t.is(first.cwd, undefined);
  s.cwd = '/tmp';
  s.shell = false;
  s.disableAslr = false;
  const next = s.request('/p', [])!;
  t.is(next.cwd, '/tmp');
  t.false(next.shell);
  t.false(next.disableAslr);
});

test('a working directory starting with ~ is under the home directory (gdb.base/set-cwd.exp)', (t) => {
  const s = new LaunchSettings({});
  s.cwd = '~/';
  t.is(s.request('/p', [])!.cwd, `${homedir()}/`);
  s.cwd = '~';
  t.is(s.request('/p', [])!.cwd, homedir());
  s.cwd = '/tmp/~x';
  t.is(s.request('/p', [])!.cwd, '/tmp/~x');
});
