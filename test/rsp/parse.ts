// Test helper: parse a packet body given as latin1 text.
import { type Command, parseCommand } from '../../rsp/index.js';

export function parse(text: string): Command {
  return parseCommand(Buffer.from(text, 'latin1'));
}

/** The kind, or `malformed` / `unknown`. */
export function kindOf(text: string): string {
  return parse(text).kind;
}
