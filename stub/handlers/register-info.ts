// qRegisterInfo<regnum> (lldbgdbremote.md): one register's description, E45 past the last.
import { reply } from '../context.js';
import { registerInfoReply } from '../lldb/index.js';
import { type Handler, withProcess } from './handler.js';

export const registerInfoHandler: Handler<'register-info'> = withProcess((_s, cmd, ctx) =>
  reply(registerInfoReply(ctx.layout, cmd.regnum)),
);
