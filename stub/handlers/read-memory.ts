// Memory packets (GDB manual, "Packets" and "General Query Packets"): m, M, X, qSearch:memory,
// qCRC, and LLDB's x (lldbgdbremote.md).
import { PACKET_SIZE } from '../capabilities.js';
import { type Handler, withProcess } from './handler.js';
import { readMemoryBinary } from './lldb.js';
import { crcMemory, readMemory, searchMemory, writeMemory } from './memory.js';

export const readMemoryHandler: Handler<'read-memory'> = withProcess((_s, cmd, ctx) =>
  readMemory(ctx, cmd.addr, cmd.length, PACKET_SIZE),
);

export const writeMemoryHandler: Handler<'write-memory'> = withProcess((_s, cmd, ctx) =>
  writeMemory(ctx, cmd.addr, cmd.data),
);

export const writeMemoryBinary: Handler<'write-memory-binary'> = withProcess((_s, cmd, ctx) =>
  writeMemory(ctx, cmd.addr, cmd.data),
);

export const readMemoryBinaryHandler: Handler<'read-memory-binary'> = withProcess((_s, cmd, ctx) =>
  readMemoryBinary(ctx, cmd.addr, cmd.length, PACKET_SIZE),
);

export const searchMemoryHandler: Handler<'search-memory'> = withProcess((_s, cmd, ctx) =>
  searchMemory(ctx, cmd.addr, cmd.length, cmd.pattern),
);

export const crcHandler: Handler<'crc'> = withProcess((_s, cmd, ctx) =>
  crcMemory(ctx, cmd.addr, cmd.length),
);
