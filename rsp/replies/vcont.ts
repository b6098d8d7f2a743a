// The reply to `vCont?` (GDB manual, "Packets"): `vCont[;action...]`.
export type VContActionLetter = 'c' | 'C' | 's' | 'S' | 't' | 'r';

export function vContActions(actions: readonly VContActionLetter[]): string {
  return ['vCont', ...actions].join(';');
}
