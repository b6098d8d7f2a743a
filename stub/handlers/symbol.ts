// qSymbol and qGetTLSAddr (GDB manual, "General Query Packets"): the symbol exchange that
// teaches the stub glibc's link_map layout, and thread-local storage addresses.
import { errorReply } from '../context.js';
import { resolveThread } from '../threads.js';
import { type Handler, withProcess } from './handler.js';
import { symbolExchange, tlsAddress } from './tls.js';

export const symbolLookupReady: Handler<'symbol-lookup-ready'> = withProcess((_s, _cmd, ctx) =>
  symbolExchange(ctx),
);

export const symbolValue: Handler<'symbol-value'> = withProcess((_s, cmd, ctx) =>
  symbolExchange(ctx, cmd),
);

export const tlsAddressHandler: Handler<'tls-address'> = withProcess((s, cmd, ctx) => {
  // No libthread_db on the search path: gdbserver cannot look thread-local storage up.
  if (!s.threadDbFound) return errorReply(1);
  return tlsAddress(ctx, resolveThread(ctx, cmd.thread), cmd.offset, cmd.linkMap);
});
