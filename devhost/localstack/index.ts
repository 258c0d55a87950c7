/**
 * Local stand-ins for the Azure services, on loopback, reusable by tests and the devhost.
 * Each `start*` returns endpoints plus `stop()`. Implementations live beside this file.
 */
export interface RunningServer {
  /** Base URL, e.g. http://127.0.0.1:54321 */
  url: string;
  stop(): Promise<void>;
}

export interface AzuriteServers {
  /** Connection string with Azurite's public dev account key for blob, queue and table. */
  connectionString: string;
  blobUrl: string;
  queueUrl: string;
  tableUrl: string;
  /** The child process id (Azurite runs as its own process so a host can die without losing data). */
  pid: number;
  stop(): Promise<void>;
}

export {
  AZURITE_ACCOUNT,
  AZURITE_KEY,
  azuriteConnectionString,
  startAzurite,
  type StartAzuriteOptions,
} from './azurite';
export { COSMOS_EMULATOR_KEY, startCosmos, startCosmosProcess, type CosmosServer } from './cosmos';
export {
  eventGridTriggerUrl,
  startEventGridTopic,
  TOPIC_LIMITS,
  type EventDataValidator,
  type LocalTopic,
  type ReceivedEvent,
  type TopicOptions,
} from './eventGridTopic';
export {
  parseSubscriptions,
  readSubscriptionsFile,
  SubscriptionFileError,
  type Destination,
  type FunctionDestination,
  type Subscription,
  type SubscriptionFilter,
  type WebHookDestination,
} from './eventgrid/subscriptions';
export {
  createDispatcher,
  RETRY_SCHEDULE_SECONDS,
  WEBHOOK_REQUEST_ORIGIN,
  type DeliveryOptions,
  type Dispatcher,
} from './eventgrid/delivery';
export { deadLetterBlobPath, readDeadLetters, type DeadLetterRecord } from './eventgrid/deadLetter';
export { matchesFilter, type CloudEventJson } from './eventgrid/filters';
export type { SubscriptionMetrics } from './eventgrid/metrics';
export {
  startFaultProxy,
  type Fault,
  type FaultProxy,
  type FaultProxyOptions,
  type FaultProxyStats,
} from './faultProxy';
export { startChildServer, type ChildServer, type ChildServerOptions } from './childServer';
export { isLoopbackUrl } from './loopback';
