/**
 * `@saga/devhost/internals`: the host's parsing and loading units, exported for the package's own
 * tests. No stability promise: applications use `@saga/devhost`, `/testkit`, `/localstack` and `/engine`.
 */
export { parseRoute } from './host/routes';
export { parseNcrontab } from './host/ncrontab';
export { applyLocalSettings, parseTimeSpan, readHostConfig } from './host/hostConfig';
export { expandGlob, resolveEntryFiles } from './host/entryPoint';
export { installCoreStandIn } from './functions/coreStandIn';
export { loadApp, type LoadedApp } from './host/loadApp';
export { unmodelledWarnings } from './host/unmodelled';
export { applyActions } from './durable/applyActions';
