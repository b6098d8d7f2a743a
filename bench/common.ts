// Helpers shared by the benchmark scripts.

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The value after `--name` on the command line, or `dflt`. */
export function cliOption(name: string, dflt: string): string {
  const argv = process.argv.slice(2);
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : dflt;
}

/** The entries of `table` named in a comma-separated list; an unknown name is an error. */
export function pick<T>(table: Record<string, T>, names: string): T[] {
  return names.split(',').map((n) => {
    const k = table[n];
    if (!k) throw new Error(`unknown server ${n}`);
    return k;
  });
}
