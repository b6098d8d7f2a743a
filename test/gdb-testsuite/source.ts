// Where gdb's testsuite comes from: Debian's `gdb` source package of the installed gdb's
// version (`apt-get source gdb=VERSION`), unpacked once into the cache directory and configured
// once there (configure, then `make site.exp`: the site.exp every job copies). A `deb-src` entry is added
// when the machine has none. GDB_TESTSUITE_SRC (or --src) points at an unpacked tree instead.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface Testsuite {
  /** gdb/testsuite of the unpacked source. */
  srcdir: string;
  /** A directory holding the configured site.exp. */
  configured: string;
}

export function defaultCacheDir(): string {
  return (
    process.env.NTRACE_GDB_TESTSUITE_CACHE ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'ntrace-gdb-testsuite')
  );
}

function run(cmd: string, args: string[], cwd?: string): void {
  const r = spawnSync(cmd, args, { cwd, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal})`);
}

function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** runtest (dejagnu), expect and dpkg-source (dpkg-dev); installed when we are root. */
export function ensureTools(log: (line: string) => void): void {
  const want: [string, string][] = [
    ['runtest', 'dejagnu'],
    ['expect', 'expect'],
    ['dpkg-source', 'dpkg-dev'],
  ];
  const missing = want.filter(([cmd]) => !have(cmd)).map(([, pkg]) => pkg);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`missing tools: run apt-get install ${missing.join(' ')}`);
  }
  log(`installing ${missing.join(' ')}`);
  run('apt-get', ['update', '-q']);
  run('apt-get', ['install', '-y', '-q', ...missing]);
}

/** The installed gdb package's source version, e.g. 13.1-3. */
export function installedGdbVersion(): string {
  return execFileSync('dpkg-query', ['-W', `-f=\${source:Version}`, 'gdb'], {
    encoding: 'utf8',
  }).trim();
}

function hasDebSrc(): boolean {
  const files = ['/etc/apt/sources.list'];
  const d = '/etc/apt/sources.list.d';
  if (existsSync(d)) for (const f of readdirSync(d)) files.push(join(d, f));
  return files.some((f) => {
    if (!/(\.list|\.sources)$/.test(f) || !existsSync(f)) return false;
    const text = readFileSync(f, 'utf8');
    return /^\s*deb-src\s/m.test(text) || /^Types:.*\bdeb-src\b/m.test(text);
  });
}

/** A deb-src twin of the machine's Debian entries (deb822 or one-line format). */
function addDebSrc(log: (line: string) => void): void {
  const deb822 = '/etc/apt/sources.list.d/debian.sources';
  const target = '/etc/apt/sources.list.d/ntrace-deb-src';
  if (existsSync(deb822)) {
    const text = readFileSync(deb822, 'utf8').replace(/^Types:.*$/gm, 'Types: deb-src');
    writeFileSync(`${target}.sources`, text);
  } else if (existsSync('/etc/apt/sources.list')) {
    const lines = readFileSync('/etc/apt/sources.list', 'utf8')
      .split('\n')
      .filter((l) => /^\s*deb\s/.test(l))
      .map((l) => l.replace(/^\s*deb\s/, 'deb-src '));
    writeFileSync(`${target}.list`, `${lines.join('\n')}\n`);
  } else {
    throw new Error('no apt sources found to derive a deb-src entry from');
  }
  log(`added a deb-src entry (${target}.*)`);
}

function findUnpacked(cache: string, upstream: string): string | undefined {
  const dir = join(cache, `gdb-${upstream}`);
  return existsSync(join(dir, 'gdb', 'testsuite', 'lib', 'gdb.exp')) ? dir : undefined;
}

/** The unpacked source tree of the installed gdb, fetched into `cache` if needed. */
export function sourceTree(cache: string, log: (line: string) => void): string {
  const version = installedGdbVersion();
  const upstream = version.replace(/^\d+:/, '').replace(/-[^-]*$/, '');
  const found = findUnpacked(cache, upstream);
  if (found) return found;
  mkdirSync(cache, { recursive: true });
  if (!hasDebSrc()) {
    if (process.getuid?.() !== 0) throw new Error('no deb-src entry in apt sources; add one');
    addDebSrc(log);
  }
  log(`fetching gdb ${version}'s source (apt-get source) into ${cache}`);
  if (process.getuid?.() === 0) run('apt-get', ['update', '-q']);
  run('apt-get', ['source', '-q', `gdb=${version}`], cache);
  const dir = findUnpacked(cache, upstream);
  if (!dir) throw new Error(`apt-get source left no gdb-${upstream}/gdb/testsuite in ${cache}`);
  return dir;
}

/** Configures the testsuite once (per source tree) and returns where its site.exp is. */
export function prepare(src: string, cache: string, log: (line: string) => void): Testsuite {
  const srcdir = join(src, 'gdb', 'testsuite');
  if (!existsSync(join(srcdir, 'lib', 'gdb.exp'))) throw new Error(`${srcdir}: no gdb testsuite`);
  const key = src.replace(/[^A-Za-z0-9.-]+/g, '_');
  const configured = join(cache, 'configured', key);
  if (!existsSync(join(configured, 'site.exp'))) {
    log(`configuring the testsuite in ${configured}`);
    mkdirSync(configured, { recursive: true });
    run(join(srcdir, 'configure'), [], configured);
    run('make', ['site.exp'], configured);
  }
  return { srcdir, configured };
}
