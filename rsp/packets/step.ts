// `s [addr]` and `S sig[;addr]` (GDB manual, "Packets"): single-step one instruction.
import { parseResume } from './continue.js';
import type { MalformedCommand } from './fields.js';

export interface StepCommand {
  kind: 'step';
  addr?: bigint;
  /** Present for `S`: the GDB signal number to deliver. */
  signal?: number;
}

export function parseStep(packet: string): StepCommand | MalformedCommand {
  return parseResume(packet, 'step');
}
