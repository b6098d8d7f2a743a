// Packets that carry no arguments and are matched exactly by the table in commands.ts.
// Each kind names the packet's meaning; the packet is given in the comment.

export type SimpleCommand =
  /** `?`: report why the target stopped (GDB manual, "Packets"). */
  | { kind: 'query-stop-reason' }
  /** `!`: enable extended mode. */
  | { kind: 'enable-extended-mode' }
  /** `k`: kill the inferior. */
  | { kind: 'kill' }
  /** `vCont?`: list the supported vCont actions. */
  | { kind: 'vcont-query' }
  /** `vCtrlC`: interrupt in non-stop mode. */
  | { kind: 'interrupt' }
  /** `vStopped`: acknowledge a `%Stop` notification and ask for the next queued stop. */
  | { kind: 'next-stop-notification' }
  /** `vMustReplyEmpty`: probe; the stub must reply empty (GDB manual, "Packets"). */
  | { kind: 'must-reply-empty' }
  /** `qC`: current thread. */
  | { kind: 'current-thread' }
  /** `qfThreadInfo`: first part of the thread list. */
  | { kind: 'thread-list-first' }
  /** `qsThreadInfo`: next part of the thread list. */
  | { kind: 'thread-list-next' }
  /** `qOffsets`: section relocation offsets. */
  | { kind: 'section-offsets' }
  /** `QStartNoAckMode`. */
  | { kind: 'start-no-ack-mode' }
  /** `QEnvironmentReset`: drop environment changes made with QEnvironmentHexEncoded/Unset. */
  | { kind: 'environment-reset' }
  /** `qHostInfo` (LLDB). */
  | { kind: 'host-info' }
  /** `qProcessInfo` (LLDB). */
  | { kind: 'process-info' }
  /** `QThreadSuffixSupported` (LLDB): later g/G/p/P/... may carry `;thread:<tid>;`. */
  | { kind: 'enable-thread-suffix' }
  /** `QListThreadsInStopReply` (LLDB): add `threads:`/`thread-pcs:` to stop replies. */
  | { kind: 'enable-threads-in-stop-reply' }
  /** `jThreadsInfo` (LLDB): JSON description of every thread. */
  | { kind: 'threads-info' }
  /** `QEnableErrorStrings` (LLDB): `E.<text>` replies are welcome. */
  | { kind: 'enable-error-strings' }
  /** `qGDBServerVersion` (LLDB). */
  | { kind: 'server-version' }
  /** `qLaunchSuccess` (LLDB): did the `A` launch succeed. */
  | { kind: 'launch-success' }
  /** `qShlibInfoAddr` (LLDB): address of the dynamic linker's r_debug. */
  | { kind: 'shlib-info-addr' }
  /** `QTinit`: forget every tracepoint, variable and trace frame ("Tracepoint Packets"). */
  | { kind: 'trace-init' }
  /** `QTStart`: install the tracepoints and start a trace run. */
  | { kind: 'trace-start' }
  /** `QTStop`: end the trace run. */
  | { kind: 'trace-stop' }
  /** `qTStatus`: is a trace run going, why it stopped, buffer use. */
  | { kind: 'trace-status' }
  /** `qTfP` / `qTsP`: the tracepoint definitions, piece by piece (upload). */
  | { kind: 'trace-points-first' }
  | { kind: 'trace-points-next' }
  /** `qTfV` / `qTsV`: the trace state variable definitions (upload). */
  | { kind: 'trace-variables-first' }
  | { kind: 'trace-variables-next' }
  /** `qTMinFTPILen`: shortest instruction a fast tracepoint can replace. */
  | { kind: 'trace-min-ftpi-len' };

/** Exact packet text to kind, consulted by commands.ts. */
export const SIMPLE_PACKETS: ReadonlyArray<readonly [string, SimpleCommand['kind']]> = [
  ['?', 'query-stop-reason'],
  ['!', 'enable-extended-mode'],
  ['k', 'kill'],
  ['vCont?', 'vcont-query'],
  ['vCtrlC', 'interrupt'],
  ['vStopped', 'next-stop-notification'],
  ['vMustReplyEmpty', 'must-reply-empty'],
  ['qC', 'current-thread'],
  ['qfThreadInfo', 'thread-list-first'],
  ['qsThreadInfo', 'thread-list-next'],
  ['qOffsets', 'section-offsets'],
  ['QStartNoAckMode', 'start-no-ack-mode'],
  ['QEnvironmentReset', 'environment-reset'],
  ['qHostInfo', 'host-info'],
  ['qProcessInfo', 'process-info'],
  ['QThreadSuffixSupported', 'enable-thread-suffix'],
  ['QListThreadsInStopReply', 'enable-threads-in-stop-reply'],
  ['jThreadsInfo', 'threads-info'],
  ['QEnableErrorStrings', 'enable-error-strings'],
  ['qGDBServerVersion', 'server-version'],
  ['qLaunchSuccess', 'launch-success'],
  ['qShlibInfoAddr', 'shlib-info-addr'],
  ['QTinit', 'trace-init'],
  ['QTStart', 'trace-start'],
  ['QTStop', 'trace-stop'],
  ['qTStatus', 'trace-status'],
  ['qTfP', 'trace-points-first'],
  ['qTsP', 'trace-points-next'],
  ['qTfV', 'trace-variables-first'],
  ['qTsV', 'trace-variables-next'],
  ['qTMinFTPILen', 'trace-min-ftpi-len'],
];
