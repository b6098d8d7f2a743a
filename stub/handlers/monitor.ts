// qRcmd (GDB's `monitor` command, GDB manual "General Query Packets"): output goes back as `O`
// packets before the final OK.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ok } from '../../rsp/replies/basic.js';
import { consoleOutput } from '../../rsp/replies/console.js';
import { errorReply, OK } from '../context.js';
import type { Handler } from './handler.js';

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
  '  set debug on|off -- Log packets to stderr\n' +
  "  set remote-debug 0|1 -- The same (gdbserver's name for the packet log)\n" +
  '  set debug-format all|none|timestamp -- Accepted; every log line carries a timestamp\n' +
  '  set libthread-db-search-path [PATH] -- Where libthread_db is (none: no thread-local lookups)\n';

// gdbserver's parse_debug_format_options: a comma-separated list, each option acknowledged.
const DEBUG_FORMATS: Record<string, string> = {
  all: 'All extra debug format options enabled.\n',
  none: 'All extra debug format options disabled.\n',
  timestamp: 'Timestamps will be added to debug output.\n',
};

function debugFormat(list: string): MonitorOutcome {
  let output = '';
  for (const option of list.split(',')) {
    if (option === '') continue;
    const said = DEBUG_FORMATS[option];
    if (said === undefined)
      return { output: `Unknown debug-format argument: "${option}"\n${HELP}`, unknown: true };
    output += said;
  }
  return { output };
}

// gdbserver's default libthread-db-search-path: the program's libpthread directory, then the
// system's.
const THREAD_DB_SEARCH_PATH = '$pdir:$sdir';

/**
 * Whether gdbserver would find libthread_db on `path` (thread-db.cc): `$pdir` and `$sdir` are
 * where the system keeps it; any other directory must hold libthread_db.so.1. Our thread-local
 * lookups follow libthread_db's own walk, so they are refused where gdbserver has none.
 */
export function threadDbOnPath(path: string): boolean {
  return path
    .split(':')
    .some(
      (dir) => dir === '$pdir' || dir === '$sdir' || existsSync(join(dir, 'libthread_db.so.1')),
    );
}

export function monitorCommand(
  text: string,
  setDebug: (on: boolean) => void,
  setThreadDbSearchPath?: (path: string) => void,
): MonitorOutcome {
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
    case 'set remote-debug 1':
      setDebug(true);
      return { output: 'Protocol debug output enabled.\n' };
    case 'set remote-debug 0':
      setDebug(false);
      return { output: 'Protocol debug output disabled.\n' };
    default:
      if (cmd.startsWith('set debug-format ')) return debugFormat(cmd.slice(17));
      if (
        cmd === 'set libthread-db-search-path' ||
        cmd.startsWith('set libthread-db-search-path ')
      ) {
        const path = cmd.slice(28).trim() || THREAD_DB_SEARCH_PATH;
        setThreadDbSearchPath?.(path);
        return { output: `libthread-db-search-path set to \`${path}'\n` };
      }
      return { output: `Unknown monitor command "${cmd}"; try "monitor help".\n`, unknown: true };
  }
}

/** qRcmd: the command's output as `O` packets, then OK (or E01 for an unknown command). */
export const monitorHandler: Handler<'monitor'> = (s, cmd) => {
  const out = monitorCommand(
    cmd.command,
    (on) => {
      s.debugOn = on;
    },
    (path) => {
      s.threadDbFound = threadDbOnPath(path);
    },
  );
  if (out.output) s.send(consoleOutput(out.output));
  if (out.exit) return { disconnect: 'exit', reply: ok() };
  return out.unknown ? errorReply(1) : OK;
};
