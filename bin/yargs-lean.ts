// yargs without its help renderer until it renders help. yargs' ES module entry builds the parser
// over a platform shim that imports cliui and string-width (two `Intl.Segmenter`s, an emoji
// regex, east-asian width tables): ~60% of yargs' load, spent before "Listening" on every start
// though only --help and a usage error draw text with them (bench/RESULTS.md, session 16). Here
// the same factory gets the same shim but for those two, which throw HelpNeeded; the caller then
// parses again with the full yargs, which prints what yargs prints. yargs stays the parser.
// The factory and the shim's parts are yargs' own files (pinned by package-lock.json); if they
// are not where 18.2 keeps them, leanYargs() answers undefined and the caller uses `yargs`.
import { notStrictEqual, strictEqual } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import type yargsFull from 'yargs';

export type YargsFactory = typeof yargsFull;

/** Thrown where yargs would lay out text (help, a usage error): parse again with `yargs`. */
export class HelpNeeded extends Error {}

const needed = (): never => {
  throw new HelpNeeded('yargs help');
};

interface Parts {
  YargsFactory: (shim: unknown) => YargsFactory;
  getProcessArgvBin: () => string;
  Parser: (...args: unknown[]) => unknown;
  escalade: (...args: unknown[]) => unknown;
  y18n: (opts: { directory: string; updateFiles: boolean }) => unknown;
  getCallerFile: (n?: number) => string;
}

/** `yargs` as its ESM entry builds it, with cliui and stringWidth left out; undefined if not found. */
export async function leanYargs(): Promise<YargsFactory | undefined> {
  try {
    const entry = import.meta.resolve('yargs'); // .../node_modules/yargs/index.mjs
    const at = (path: string): string => new URL(path, entry).href;
    // yargs' own dependencies, as its shim imports them (a variable: they are not ours to type).
    const load = (specifier: string): Promise<{ [name: string]: never }> => import(specifier);
    const [factory, argvMod, parser, escalade, y18n, callerFile] = await Promise.all([
      load(at('./build/lib/yargs-factory.js')),
      load(at('./build/lib/utils/process-argv.js')),
      load('yargs-parser'),
      load('escalade/sync'),
      load('y18n'),
      load('get-caller-file'),
    ]);
    const parts: Parts = {
      YargsFactory: factory.YargsFactory,
      getProcessArgvBin: argvMod.getProcessArgvBin,
      Parser: parser.default,
      escalade: escalade.default,
      y18n: y18n.default,
      getCallerFile: callerFile.default,
    };
    if (typeof parts.YargsFactory !== 'function' || typeof parts.getProcessArgvBin !== 'function')
      return undefined;
    // As yargs' lib/platform-shims/esm.mjs, paths relative to that file.
    const shimFile = fileURLToPath(at('./lib/platform-shims/esm.mjs'));
    const mainFilename = shimFile.substring(0, shimFile.lastIndexOf('node_modules'));
    return parts.YargsFactory({
      assert: { notStrictEqual, strictEqual },
      cliui: needed,
      findUp: parts.escalade,
      getEnv: (key: string) => process.env[key],
      inspect,
      getProcessArgvBin: parts.getProcessArgvBin,
      mainFilename: mainFilename || process.cwd(),
      Parser: parts.Parser,
      path: { basename, dirname, extname, relative, resolve, join },
      process: {
        argv: () => process.argv,
        cwd: process.cwd,
        emitWarning: (warning: string, type: string) => process.emitWarning(warning, type),
        execPath: () => process.execPath,
        exit: (code: number) => process.exit(code),
        nextTick: process.nextTick,
        stdColumns: typeof process.stdout.columns !== 'undefined' ? process.stdout.columns : null,
      },
      readFileSync,
      readdirSync,
      require: createRequire(at('./lib/platform-shims/esm.mjs')),
      getCallerFile: () => {
        const file = parts.getCallerFile(3);
        return file.startsWith('file://') ? fileURLToPath(file) : file;
      },
      stringWidth: needed,
      y18n: parts.y18n({ directory: resolve(shimFile, '../../../locales'), updateFiles: false }),
    });
  } catch {
    return undefined;
  }
}
