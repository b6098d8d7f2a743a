// The shape of a packet handler, and the two ways a handler declines: a packet that needs a
// process when there is none, and a packet the stub does not serve.
import type { ThreadId } from '../../rsp/common/thread-id.js';
import type { Command, CommandKind } from '../../rsp/commands.js';
import { EMPTY, errorReply, type HandlerResult, type SessionContext } from '../context.js';
import type { SessionCore } from '../session-core.js';
import type { Ptid } from '../target.js';
import { resolveThread } from '../threads.js';

export type CommandOf<K extends CommandKind> = Extract<Command, { kind: K }>;

export type Handler<K extends CommandKind> = (
  s: SessionCore,
  cmd: CommandOf<K>,
) => HandlerResult | Promise<HandlerResult>;

/** Every kind the codec parses, each with its handler: the compiler checks none is missing. */
export type Handlers = { [K in CommandKind]: Handler<K> };

/** A handler that needs a process under control. */
export type ProcessHandler<K extends CommandKind> = (
  s: SessionCore,
  cmd: CommandOf<K>,
  ctx: SessionContext,
) => HandlerResult | Promise<HandlerResult>;

/**
 * A packet about the current process; without one (extended-remote before vRun/vAttach) it gets
 * `without`'s answer, by default E01.
 */
export function withProcess<K extends CommandKind>(
  h: ProcessHandler<K>,
  without: Handler<K> = noProcess,
): Handler<K> {
  return (s, cmd) => (s.ctx ? h(s, cmd, s.ctx) : without(s, cmd));
}

/** The answer to a packet that needs a process when there is none. */
export function noProcess(): HandlerResult {
  return errorReply(1);
}

/**
 * A packet the stub parses but does not serve: the empty reply, "not supported" (GDB manual,
 * "Packets"), as for a packet nobody parses; E01 while no process exists, as gdbserver.
 */
export function notServed(s: SessionCore): HandlerResult {
  return s.ctx ? EMPTY : errorReply(1);
}

/** LLDB's `;thread:` suffix, if the command carried one. */
export function suffixThread(ctx: SessionContext, id: ThreadId | undefined): Ptid | undefined {
  return id ? resolveThread(ctx, id) : undefined;
}
