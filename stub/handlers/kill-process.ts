// k and vKill;pid (GDB manual, "Packets"): k kills every process and, outside extended-remote,
// ends the session; vKill kills one.
import { errorReply, OK, reply } from '../context.js';
import { type Handler, withProcess } from './handler.js';
import { lldbKillReply } from '../lldb/client.js';

export const killHandler: Handler<'kill'> = withProcess(async (s, _cmd, ctx) => {
  // LLDB waits for the exit stop (stub/lldb/client.ts); GDB wants no reply.
  const exit = ctx.dialect.lldb ? lldbKillReply(ctx) : undefined;
  for (const p of [...s.procs.values()]) await s.killTarget(p);
  if (s.extended) return exit ? reply(exit) : { silent: true };
  return exit ? { disconnect: 'gone', reply: exit } : { disconnect: 'gone' };
});

export const killProcess: Handler<'kill-process'> = withProcess(async (s, cmd) => {
  const owner = s.procs.get(cmd.pid);
  if (!owner) return errorReply(3);
  await s.killTarget(owner);
  return OK;
});
