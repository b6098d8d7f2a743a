// `qSupported[:gdbfeature[;gdbfeature]...]` (GDB manual, "General Query Packets"). Features are
// `name+`, `name-`, `name?` or `name=value`, in both directions: the same type describes the
// client's list and the stub's reply (replies/features.ts formats it).
import { malformed, type MalformedCommand } from './fields.js';

export type Feature =
  /** `name+` (supported: true) or `name-` (supported: false). */
  | { name: string; kind: 'flag'; supported: boolean }
  /** `name?`: the client asks whether the stub supports it. */
  | { name: string; kind: 'query' }
  | { name: string; kind: 'value'; value: string };

export interface SupportedFeaturesCommand {
  kind: 'supported-features';
  features: Feature[];
}

export function parseFeature(text: string): Feature | undefined {
  const eq = text.indexOf('=');
  if (eq > 0) return { name: text.slice(0, eq), kind: 'value', value: text.slice(eq + 1) };
  if (text.length < 2 || eq === 0) return undefined;
  const name = text.slice(0, -1);
  switch (text[text.length - 1]) {
    case '+':
      return { name, kind: 'flag', supported: true };
    case '-':
      return { name, kind: 'flag', supported: false };
    case '?':
      return { name, kind: 'query' };
    default:
      return undefined;
  }
}

export function parseSupportedFeatures(
  packet: string,
): SupportedFeaturesCommand | MalformedCommand {
  if (packet === 'qSupported') return { kind: 'supported-features', features: [] };
  if (!packet.startsWith('qSupported:')) return malformed(packet, 'expected qSupported:features');
  const features: Feature[] = [];
  for (const item of packet.slice('qSupported:'.length).split(';')) {
    if (item === '') continue;
    const f = parseFeature(item);
    if (!f) return malformed(packet, `bad feature "${item}"`);
    features.push(f);
  }
  return { kind: 'supported-features', features };
}

/** A client feature's state by name: true/false for +/-, 'query' for ?, or the value string. */
export function featureState(
  features: readonly Feature[],
  name: string,
): boolean | 'query' | string | undefined {
  for (const f of features) {
    if (f.name !== name) continue;
    if (f.kind === 'flag') return f.supported;
    if (f.kind === 'query') return 'query';
    return f.value;
  }
  return undefined;
}
