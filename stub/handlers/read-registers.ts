// Register packets (GDB manual, "Packets"): g, G, p, P, with LLDB's `;thread:` suffix, and
// LLDB's QSaveRegisterState/QRestoreRegisterState (lldbgdbremote.md).
import { type Handler, suffixThread, withProcess } from './handler.js';
import { restoreRegisterState, saveRegisterState } from './lldb.js';
import {
  readAllRegisters,
  readOneRegister,
  writeAllRegisters,
  writeOneRegister,
} from './registers.js';

export const readRegisters: Handler<'read-registers'> = withProcess((_s, cmd, ctx) =>
  readAllRegisters(ctx, suffixThread(ctx, cmd.thread)),
);

export const writeRegisters: Handler<'write-registers'> = withProcess((_s, cmd, ctx) =>
  writeAllRegisters(ctx, cmd.data, suffixThread(ctx, cmd.thread)),
);

export const readRegister: Handler<'read-register'> = withProcess((_s, cmd, ctx) =>
  readOneRegister(ctx, cmd.regnum, suffixThread(ctx, cmd.thread)),
);

export const writeRegister: Handler<'write-register'> = withProcess((_s, cmd, ctx) =>
  writeOneRegister(ctx, cmd.regnum, cmd.value, suffixThread(ctx, cmd.thread)),
);

export const saveRegisters: Handler<'save-registers'> = withProcess((_s, cmd, ctx) =>
  saveRegisterState(ctx, suffixThread(ctx, cmd.thread)),
);

export const restoreRegisters: Handler<'restore-registers'> = withProcess((_s, cmd, ctx) =>
  restoreRegisterState(ctx, cmd.saveId, suffixThread(ctx, cmd.thread)),
);
