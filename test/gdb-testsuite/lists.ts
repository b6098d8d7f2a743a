// Which test files to run: a list file (one `gdb.dir/file.exp` per line, `#` comments) or
// --files, whose entries may be globs within one directory (gdb.base/*.exp).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export function readList(path: string): string[] {
  if (!existsSync(path)) throw new Error(`no list ${path}`);
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter((l) => l.length > 0);
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/** Entries of --files, globs expanded against the testsuite directory. */
export function expandFiles(entries: string[], srcdir: string): string[] {
  const out: string[] = [];
  for (const e of entries) {
    if (!/[*?]/.test(e)) {
      out.push(e);
      continue;
    }
    const slash = e.lastIndexOf('/');
    const dir = e.slice(0, slash);
    const re = globToRegExp(e.slice(slash + 1));
    const names = readdirSync(join(srcdir, dir))
      .filter((n) => re.test(n))
      .sort();
    for (const n of names) out.push(`${dir}/${n}`);
  }
  return [...new Set(out)];
}
