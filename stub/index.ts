// The stub layer's public surface: RSP semantics over a Target (see target.ts), the server
// loop, and the Target implementation on the ntrace engine.
export {
  type Capabilities,
  capabilitiesOf,
  PACKET_SIZE,
  supportedFeatures,
} from './capabilities.js';
export { EngineTarget, type LaunchSpec } from './engine-target.js';
export { releaseTarget, type ServeOptions, type Serving, serve } from './serve.js';
export {
  Session,
  type SessionEnd,
  type SessionOptions,
  type SessionState,
  type TargetProvider,
} from './session.js';
export * from './target.js';
export { type Comm, type Listener, listen, listenErrorText, parseComm } from './transport.js';
