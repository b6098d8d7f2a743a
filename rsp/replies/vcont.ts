// The reply to `vCont?` (GDB manual, "Packets"): `vCont[;action...]`.
export type VContActionLetter = 'c' | 'C' | 's' | 'S' | 't' | 'r';

export function vContActions(actions: readonly VContActionLetter[]): string {
  return ['vCont', ...actions].join(';');
}

/** `vCont?` for what a target offers: c/C/s/S always, `t` with non-stop, `r` with range steps. */
export function vContReply(can: { nonStop?: boolean; rangeStep?: boolean }): string {
  const letters: VContActionLetter[] = ['c', 'C', 's', 'S'];
  if (can.nonStop) letters.push('t');
  if (can.rangeStep) letters.push('r');
  return vContActions(letters);
}
