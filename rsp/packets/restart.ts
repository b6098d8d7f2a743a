// `R XX` (GDB manual, "Packets"): restart the program in extended mode; XX is ignored.
import type { MalformedCommand } from './fields.js';

export interface RestartCommand {
  kind: 'restart';
}

export function parseRestart(_packet: string): RestartCommand | MalformedCommand {
  return { kind: 'restart' };
}
