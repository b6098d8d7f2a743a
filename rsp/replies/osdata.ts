// qXfer:osdata documents (GDB manual, "Operating System Information" and "qXfer:osdata:read"):
//   <osdata type="TYPE">
//   <item><column name="NAME">VALUE</column>...</item>...</osdata>
// The layout is gdb's osdata.dtd, byte for byte as gdbserver writes it (nat/linux-osdata.c): no
// XML declaration, items back to back; names and values are text, XML-escaped.

/** One row: its columns in display order, as [name, value]. */
export type OsdataItem = readonly (readonly [string, string])[];

const ESCAPES: Record<string, string> = {
  "'": '&apos;',
  '"': '&quot;',
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
};

function escapeXml(text: string): string {
  return text.replace(/['"&<>]/g, (c) => ESCAPES[c]!);
}

/** The whole document for one osdata type (the `type` attribute is informational to gdb). */
export function osdataDocument(type: string, items: readonly OsdataItem[]): string {
  const parts = [`<osdata type="${escapeXml(type)}">\n`];
  for (const item of items) {
    parts.push('<item>');
    for (const [name, value] of item)
      parts.push(`<column name="${escapeXml(name)}">${escapeXml(value)}</column>`);
    parts.push('</item>');
  }
  parts.push('</osdata>\n');
  return parts.join('');
}
