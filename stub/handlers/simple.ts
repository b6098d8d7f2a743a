// The argument-less packets about the connection itself (rsp/packets/simple.ts), and the two
// the codec could not place: unknown and malformed packets.
import { EMPTY, errorReply, OK } from '../context.js';
import { type Handler, notServed } from './handler.js';

/** QStartNoAckMode: the OK is still acked by GDB; no-ack starts after it (GDB manual, "Packet Acknowledgment"). */
export const startNoAckMode: Handler<'start-no-ack-mode'> = (s) => {
  s.startNoAck();
  return { silent: true };
};

/** `!`: extended-remote, where the server can start and attach processes. */
export const enableExtendedMode: Handler<'enable-extended-mode'> = (s) => {
  if (!s.opts.multi && !s.opts.provider) return EMPTY;
  s.extended = true;
  return OK;
};

export const mustReplyEmpty: Handler<'must-reply-empty'> = () => EMPTY;

/** qOffsets: the program is not relocated; GDB reads the offsets from the ELF itself. */
export const sectionOffsets: Handler<'section-offsets'> = notServed;

/** QEnableErrorStrings: the stub answers plain `E<nn>`, which LLDB takes as well. */
export const enableErrorStrings: Handler<'enable-error-strings'> = notServed;

/** A packet nobody parses: empty, "not supported" (GDB manual, "Packets"). */
export const unknownPacket: Handler<'unknown'> = () => EMPTY;

export const malformedPacket: Handler<'malformed'> = (s, cmd) => {
  // LLDB probes support with a bare qMemoryRegionInfo, which rsp/ reads as malformed.
  if (cmd.packet === 'qMemoryRegionInfo') return OK;
  s.log(`malformed packet ${JSON.stringify(cmd.packet)}: ${cmd.reason}`);
  return errorReply(1);
};
