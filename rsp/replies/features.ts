// The qSupported reply (GDB manual, "General Query Packets"): `name+`, `name-`, `name=value`.
import type { Feature } from '../packets/supported-features.js';

export function formatFeature(f: Feature): string {
  if (f.kind === 'flag') return f.name + (f.supported ? '+' : '-');
  if (f.kind === 'query') return f.name + '?';
  return `${f.name}=${f.value}`;
}

/** `PacketSize=<hex>`: the largest packet the stub accepts (GDB manual, "qSupported"). */
export function packetSizeFeature(size: number): Feature {
  return { name: 'PacketSize', kind: 'value', value: size.toString(16) };
}

export function formatFeatures(features: readonly Feature[]): string {
  return features.map(formatFeature).join(';');
}
