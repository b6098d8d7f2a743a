// qRcmd (GDB's `monitor` command, GDB manual "General Query Packets"): output goes back as `O`
// packets before the final OK.
export interface MonitorOutcome {
  /** Text lines to show the user (sent as O packets). */
  output: string;
  /** End the server right after replying (gdbserver exits at once). */
  exit?: boolean;
  /** Unknown command: reply with an error. */
  unknown?: boolean;
}

const HELP =
  'The following monitor commands are supported:\n' +
  '  help -- Print this message\n' +
  '  exit -- Quit ntrace-gdbserver now (what it launched is killed, what it attached detached)\n' +
  '  set debug on|off -- Log packets to stderr\n';

export function monitorCommand(text: string, setDebug: (on: boolean) => void): MonitorOutcome {
  const cmd = text.trim().replace(/\s+/g, ' ');
  switch (cmd) {
    case 'help':
      return { output: HELP };
    case 'exit':
      return { output: '', exit: true };
    case 'set debug on':
    case 'set debug 1':
      setDebug(true);
      return { output: 'Debug output enabled.\n' };
    case 'set debug off':
    case 'set debug 0':
      setDebug(false);
      return { output: 'Debug output disabled.\n' };
    default:
      return { output: `Unknown monitor command "${cmd}"; try "monitor help".\n`, unknown: true };
  }
}
