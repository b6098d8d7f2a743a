// qSupported: what the client announces (kept for the processes started later) against what
// the targets can do (GDB manual, "General Query Packets").
import { type Feature, formatFeatures } from '../../rsp/index.js';
import { capabilitiesOf, parseClientFeatures, supportedFeatures } from '../capabilities.js';
import { reply } from '../context.js';
import { detectClientFlavour } from '../lldb/client-flavour.js';
import type { Handler } from './handler.js';

const LAUNCH_FEATURES: readonly Feature[] = [
  'QEnvironmentHexEncoded',
  'QEnvironmentUnset',
  'QEnvironmentReset',
  'QSetWorkingDir',
  'QStartupWithShell',
  // gdb's `set disable-randomization` needs it announced (extended_remote_target::
  // supports_disable_randomization), else it refuses "unsupported on this platform".
  'QDisableRandomization',
].map((name) => ({ name, kind: 'flag', supported: true }));

export const supportedFeaturesHandler: Handler<'supported-features'> = async (s, cmd) => {
  const client = parseClientFeatures(cmd.features);
  client.flavour = detectClientFlavour(cmd.features);
  s.client = client;
  // Issued in one tick: the engine gets them in one write and answers in one round trip, where
  // awaiting each cost three at every connect (gdb announces all three).
  const settings: (Promise<void> | undefined)[] = [];
  for (const p of s.procs.values()) {
    p.client = client;
    if (client.execEvents) settings.push(p.target.execEvents?.setExecEvents(true));
    if (client.forkEvents && client.multiprocess)
      settings.push(p.target.forks?.setForkEvents(true));
    if (client.vforkEvents && client.multiprocess)
      settings.push(p.target.forks?.setVforkEvents?.(true));
  }
  await Promise.all(settings);
  const features = supportedFeatures(
    s.ctx ? capabilitiesOf(s.ctx.target) : s.opts.provider?.capabilities,
    client,
  );
  // Settings for programs vRun starts; GDB only sends them when announced.
  if (s.opts.provider) features.push(...LAUNCH_FEATURES);
  return reply(formatFeatures(features));
};
