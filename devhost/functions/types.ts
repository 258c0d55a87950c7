/** The parts of the `@azure/functions-core` contract the devhost relies on (docs/DURABLE_PROTOCOL.md §1-§3). */

export interface BindingInfo {
  type: string;
  direction: 'in' | 'out' | 'inout';
  name?: string;
  route?: string;
  methods?: string[];
  authLevel?: string;
  schedule?: string;
  runOnStartup?: boolean;
  useMonitor?: boolean;
  [key: string]: unknown;
}

export interface FunctionMetadata {
  name: string;
  bindings: Record<string, BindingInfo>;
  retryOptions?: unknown;
}

export interface Registration {
  metadata: FunctionMetadata;
  handler: (...args: unknown[]) => unknown;
}

/** Typed data as the host sends it to the worker (RpcTypedData). */
export type RpcTypedData =
  | { string: string }
  | { json: string }
  | { bytes: Uint8Array }
  | { int: number }
  | { double: number }
  | { http: RpcHttpData };

export interface RpcHttpData {
  method: string;
  url: string;
  headers: Record<string, string>;
  query: Record<string, string>;
  params: Record<string, string>;
  body?: { string: string } | { bytes: Uint8Array };
  statusCode?: string;
  cookies?: unknown[];
  enableContentNegotiation?: boolean;
}

export interface InvocationResponse {
  invocationId: string;
  outputData?: { name: string; data: unknown }[];
  returnValue?: unknown;
}

export interface InvocationModel {
  getArguments(): Promise<{ context: unknown; inputs: unknown[] }>;
  invokeFunction(context: unknown, inputs: unknown[], handler: (...args: unknown[]) => unknown): Promise<unknown>;
  getResponse(context: unknown, result: unknown): Promise<InvocationResponse>;
}

export interface ProgrammingModel {
  name: string;
  version: string;
  getInvocationModel(coreCtx: unknown): InvocationModel;
  getCapabilities?(caps: Record<string, string>): Record<string, string>;
}

export type LogLevel = 'trace' | 'debug' | 'information' | 'warning' | 'error' | 'critical' | 'none';
