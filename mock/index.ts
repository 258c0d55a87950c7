export { startMockService, type MockService, type MockServiceOptions, type MockServiceStats } from './server';
export { createLocalIssuer, type LocalIssuer, type AuthOptions, type MintingCredential } from './auth';
export type { MockJob, Progression, StatusChange } from './jobBook';
export type { FaultOptions } from './faults';
export { SCENARIOS } from './scenarios';
