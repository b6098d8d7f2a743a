// The qSupported reply (GDB manual, "General Query Packets"): `name+`, `name-`, `name=value`.
import type { Feature } from '../packets/supported-features.js';

export function formatFeature(f: Feature): string {
  if (f.kind === 'flag') return f.name + (f.supported ? '+' : '-');
  if (f.kind === 'query') return f.name + '?';
  return `${f.name}=${f.value}`;
}

export function formatFeatures(features: readonly Feature[]): string {
  return features.map(formatFeature).join(';');
}
