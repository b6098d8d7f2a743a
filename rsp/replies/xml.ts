// Text inside the XML documents qXfer serves (GDB manual, "qXfer:threads:read",
// "Library List Format for SVR4 Targets"): the five markup characters as numeric references.

export function xmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
