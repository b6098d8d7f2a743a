// target.xml for amd64 GNU/Linux, built from the same register list as the g packet so the two
// can never disagree. Feature names, types and regnums follow gdb/features/i386/64bit-*.xml; all
// features are inline (LLDB reorders xi:include'd ones). GDB manual, "Target Descriptions".
import type { RegisterLayout } from './amd64-registers.js';

const EFLAGS_FIELDS: [string, number][] = [
  ['CF', 0],
  ['', 1],
  ['PF', 2],
  ['AF', 4],
  ['ZF', 6],
  ['SF', 7],
  ['TF', 8],
  ['IF', 9],
  ['DF', 10],
  ['OF', 11],
  ['NT', 14],
  ['RF', 16],
  ['VM', 17],
  ['AC', 18],
  ['VIF', 19],
  ['VIP', 20],
  ['ID', 21],
];

const MXCSR_FIELDS: [string, number][] = [
  ['IE', 0],
  ['DE', 1],
  ['ZE', 2],
  ['OE', 3],
  ['UE', 4],
  ['PE', 5],
  ['DAZ', 6],
  ['IM', 7],
  ['DM', 8],
  ['ZM', 9],
  ['OM', 10],
  ['UM', 11],
  ['PM', 12],
  ['FZ', 15],
];

function flags(id: string, fields: [string, number][]): string {
  const body = fields.map(([n, b]) => `<field name="${n}" start="${b}" end="${b}"/>`).join('');
  return `<flags id="${id}" size="4">${body}</flags>`;
}

const VEC128 =
  '<vector id="v8bf16" type="bfloat16" count="8"/><vector id="v8h" type="ieee_half" count="8"/>' +
  '<vector id="v4f" type="ieee_single" count="4"/><vector id="v2d" type="ieee_double" count="2"/>' +
  '<vector id="v16i8" type="int8" count="16"/><vector id="v8i16" type="int16" count="8"/>' +
  '<vector id="v4i32" type="int32" count="4"/><vector id="v2i64" type="int64" count="2"/>' +
  '<union id="vec128"><field name="v8_bfloat16" type="v8bf16"/><field name="v8_half" type="v8h"/>' +
  '<field name="v4_float" type="v4f"/><field name="v2_double" type="v2d"/>' +
  '<field name="v16_int8" type="v16i8"/><field name="v8_int16" type="v8i16"/>' +
  '<field name="v4_int32" type="v4i32"/><field name="v2_int64" type="v2i64"/>' +
  '<field name="uint128" type="uint128"/></union>';

const SSE_TYPES = VEC128 + flags('i386_mxcsr', MXCSR_FIELDS);

const FEATURE_TYPES: Record<string, string> = {
  'org.gnu.gdb.i386.core': flags('i386_eflags', EFLAGS_FIELDS),
  'org.gnu.gdb.i386.sse': SSE_TYPES,
  'org.gnu.gdb.i386.avx512': VEC128 + '<vector id="v2ui128" type="uint128" count="2"/>',
};

export function amd64TargetXml(layout: RegisterLayout): string {
  const parts: string[] = [
    '<?xml version="1.0"?><!DOCTYPE target SYSTEM "gdb-target.dtd">',
    '<target><architecture>i386:x86-64</architecture><osabi>GNU/Linux</osabi>',
  ];
  let open: string | undefined;
  layout.regs.forEach((r, regnum) => {
    if (r.feature !== open) {
      if (open !== undefined) parts.push('</feature>');
      open = r.feature;
      parts.push(`<feature name="${r.feature}">${FEATURE_TYPES[r.feature] ?? ''}`);
    }
    const group = r.group ? ` group="${r.group}"` : '';
    // LLDB shows a pointer type with its symbol and `register read` appends the symbol again;
    // format="hex" (lldb-server's) wins over the type there, and GDB ignores the attribute.
    const format = r.type === 'code_ptr' || r.type === 'data_ptr' ? ' format="hex"' : '';
    parts.push(
      `<reg name="${r.name}" bitsize="${r.size * 8}" type="${r.type}" regnum="${regnum}"${group}${format}/>`,
    );
  });
  if (open !== undefined) parts.push('</feature>');
  parts.push('</target>');
  return parts.join('');
}
