// JSON as lldb-server writes it (llvm/Support/JSON.cpp): object keys sorted, no spaces, strings
// escaped only for `"`, `\` and control characters (\t \n \r, others as \u00xx). The packet
// encoder then escapes `}` and friends; that is not this module's job.

export type Json = null | boolean | number | string | readonly Json[] | { [key: string]: Json };

function quote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c === 0x22 || c === 0x5c) out += `\\${ch}`;
    else if (c >= 0x20) out += ch;
    else if (c === 0x09) out += '\\t';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else out += `\\u${c.toString(16).padStart(4, '0')}`;
  }
  return `${out}"`;
}

// llvm::json::OStream compares keys as byte strings; for ASCII keys that is code-unit order.
function byKey(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function llvmJson(v: Json): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new RangeError(`not representable in JSON: ${v}`);
    return String(v);
  }
  if (typeof v === 'string') return quote(v);
  if (Array.isArray(v)) return `[${v.map(llvmJson).join(',')}]`;
  const obj = v as { [key: string]: Json };
  const keys = Object.keys(obj).sort(byKey);
  return `{${keys.map((k) => `${quote(k)}:${llvmJson(obj[k]!)}`).join(',')}}`;
}
