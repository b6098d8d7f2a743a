// The qXfer:libraries-svr4:read document (GDB manual, "Library List Format for SVR4 Targets"),
// as gdbserver writes it: the main program's link_map as main-lm, then one <library> per loaded
// object. GDB 13 requires lmid (the namespace, named by its r_debug address) on every <library>.
import { xmlEscape } from './xml.js';

export interface Svr4Library {
  name: string;
  lm: bigint;
  lAddr: bigint;
  lLd: bigint;
  lmid: bigint;
}

function hex(v: bigint): string {
  return `0x${v.toString(16)}`;
}

/** `mainLm` undefined: the dynamic linker has not made the list yet (an empty document). */
export function librariesSvr4Document(
  mainLm: bigint | undefined,
  libraries: readonly Svr4Library[],
): string {
  if (mainLm === undefined) return '<library-list-svr4 version="1.0"/>';
  const parts = [`<library-list-svr4 version="1.0" main-lm="${hex(mainLm)}">`];
  for (const l of libraries) {
    parts.push(
      `<library name="${xmlEscape(l.name)}" lm="${hex(l.lm)}" l_addr="${hex(l.lAddr)}" l_ld="${hex(l.lLd)}" lmid="${hex(l.lmid)}"/>`,
    );
  }
  parts.push('</library-list-svr4>');
  return parts.join('');
}
