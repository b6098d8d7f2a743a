// The settings for programs vRun starts (GDB manual, "General Query Packets"): ASLR,
// environment, working directory, shell. Served only where the server can start programs.
import { EMPTY, OK } from '../context.js';
import { type Handler, notServed } from './handler.js';

export const disableRandomization: Handler<'disable-randomization'> = (s, cmd) => {
  if (!s.opts.provider) return EMPTY;
  s.launch.disableAslr = cmd.disable;
  return OK;
};

export const environmentSet: Handler<'environment-set'> = (s, cmd) => {
  if (!s.opts.provider) return EMPTY;
  s.launch.setEnv(cmd.name, cmd.value);
  return OK;
};

export const environmentUnset: Handler<'environment-unset'> = (s, cmd) => {
  if (!s.opts.provider) return EMPTY;
  s.launch.unsetEnv(cmd.name);
  return OK;
};

export const environmentReset: Handler<'environment-reset'> = (s) => {
  if (!s.opts.provider) return EMPTY;
  s.launch.resetEnv();
  return OK;
};

export const setWorkingDir: Handler<'set-working-dir'> = (s, cmd) => {
  if (!s.opts.provider) return EMPTY;
  s.launch.cwd = cmd.dir;
  return OK;
};

export const startupWithShell: Handler<'startup-with-shell'> = (s, cmd) => {
  if (!s.opts.provider) return EMPTY;
  s.launch.shell = cmd.enable;
  return OK;
};

/** QSetSTDIN/OUT/ERR (LLDB): the program shares the server's terminal; not served. */
export const setStdio: Handler<'set-stdio'> = notServed;
