// vRun, vAttach and R: extended-remote starts, attaches and restarts processes (GDB manual,
// "Packets"); LLDB's `A` (lldbgdbremote.md) starts one the same way.
import {
  EMPTY,
  errnoOf,
  errorReply,
  type HandlerResult,
  OK,
  reply,
  type SessionContext,
} from '../context.js';
import type { LaunchRequest } from '../launch-settings.js';
import { queueStop } from '../non-stop.js';
import type { SessionCore } from '../session-core.js';
import { stopReply } from '../stop-reply.js';
import type { TargetStop } from '../target.js';
import type { CommandOf, Handler } from './handler.js';
import { launchSuccess, lldbExtendedMode, lldbLaunch } from '../lldb/client.js';

type StartCommand = CommandOf<'run' | 'attach' | 'restart'>;

async function startProcess(s: SessionCore, cmd: StartCommand): Promise<HandlerResult> {
  const provider = s.opts.provider;
  const lldbMulti = lldbExtendedMode(s.client, s.opts.multi === true);
  if (!provider || !(s.extended || lldbMulti)) return EMPTY;
  let request: LaunchRequest | undefined;
  if (cmd.kind !== 'attach') {
    request =
      cmd.kind === 'run' ? s.launch.request(cmd.filename, cmd.args) : s.launch.request('', []);
    if (!request) return cmd.kind === 'restart' ? { silent: true } : errorReply(2);
  }
  // DEVNOTE: one process per session: a second vAttach/vRun replaces the first, as
  // gdbserver does for vRun (it kills every process before starting a new one).
  // Without multiprocess ids GDB can name one process only: the new one replaces it.
  if (!s.client?.multiprocess) {
    for (const p of [...s.procs.values()]) {
      await s.killTarget(p);
      s.removeProc(p);
    }
  }
  try {
    const target = request
      ? await provider.launch(request)
      : await provider.attach((cmd as { pid: number }).pid);
    s.setTarget(target);
    if (s.nonStop) await target.nonStop?.setNonStop(true);
    if (s.threadEvents) await target.threadEvents?.setThreadEvents(true);
    if (s.client) {
      if (s.client.execEvents) await target.execEvents?.setExecEvents(true);
      if (s.client.forkEvents && s.client.multiprocess) {
        await target.forks?.setForkEvents(true);
      }
      if (s.client.vforkEvents && s.client.multiprocess) {
        await target.forks?.setVforkEvents?.(true);
      }
    }
    // R has no reply (GDB manual, "Packets").
    if (cmd.kind === 'restart') return { silent: true };
    if (cmd.kind === 'attach' && s.nonStop) return attachedNonStop(s, s.ctx!);
    return reply(await stopReply(s.ctx!, s.ctx!.lastStop!));
  } catch (err) {
    s.log(`${cmd.kind} failed: ${(err as Error).message}`);
    return cmd.kind === 'restart' ? { silent: true } : errorReply(errnoOf(err));
  }
}

/**
 * vAttach in non-stop: OK, then each thread's stop (signal 0) as a notification, as gdbserver
 * does (GDB manual, "Remote Non-Stop": the stops follow through the notification mechanism).
 */
function attachedNonStop(s: SessionCore, ctx: SessionContext): HandlerResult {
  const stops: TargetStop[] = ctx.target.base.threads().map((thread) => ({
    kind: 'stopped',
    thread,
    signal: 0,
    cause: { type: 'interrupt' },
  }));
  const known = s.threadStops.get(ctx);
  for (const st of stops) if (st.kind === 'stopped') known?.set(st.thread.tid, st);
  ctx.lastStop = stops[0];
  // After the OK has gone out: the pump sends it as soon as this returns.
  setImmediate(() => {
    void (async () => {
      for (const st of stops) {
        queueStop(s, await stopReply(ctx, st), st.kind === 'stopped' ? st.thread : undefined);
      }
    })().catch((err) => s.log(`attach stops: ${(err as Error).message}`));
  });
  return OK;
}

export const runHandler: Handler<'run'> = startProcess;
export const attachHandler: Handler<'attach'> = startProcess;
export const restartHandler: Handler<'restart'> = startProcess;

/** LLDB's A: vRun with argv[0] as the program; the stop is fetched later (stub/lldb/client.ts). */
export const launchHandler: Handler<'launch'> = (s, cmd) =>
  lldbLaunch(s, s.launch, () =>
    startProcess(s, { kind: 'run', filename: cmd.args[0]!, args: cmd.args.slice(1) }),
  );

export const launchSuccessHandler: Handler<'launch-success'> = (s) => launchSuccess(s);
