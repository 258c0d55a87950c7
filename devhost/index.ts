/**
 * `@saga/devhost`: runs an Azure Functions Node v4 app (with Durable Functions) on loopback, as
 * `func start` would, without Core Tools. In process: `startDevHost`; as the `devhost` command:
 * `runCli`/`main`; as a child process a test can SIGKILL: `startProcessHost`.
 */
export {
  startDevHost,
  type DevHost,
  type DevHostOptions,
  type HostedTaskHub,
  type TaskHubFactory,
} from './host/server';
export { engineTaskHub, type EngineOverrides, type StorageChoice } from './host/taskHubFactory';
export { consoleLog, silentLog, type HostLog, type LogLevel } from './host/log';
export { main, parseArgs, runCli, type CliOptions } from './cli';
export { startProcessHost, type ProcessHost, type ProcessHostOptions } from './demo/processHost';
export { setFunctionLogSink, type FunctionLogSink } from './functions/invoke';
export type { CollectedSpan } from './host/spanCollector';
