/**
 * A local Event Grid custom topic (CloudEvents 1.0 input schema) on loopback. It accepts exactly
 * what the official `EventGridPublisherClient` sends (POST /api/events, `aeg-sas-key`,
 * `application/cloudevents-batch+json`), validates every event with the `cloudevents` package and
 * its data with the validator it is given (the app's JSON Schemas), enforces Event Grid's limits, and keeps what it accepted for
 * inspection. Like Event Grid, it accepts or rejects a batch as a whole.
 *
 * With subscriptions (eventgrid/subscriptions.json) it also pushes every accepted event to each
 * matching subscription as Event Grid does (./eventgrid/delivery.ts), dead-letters to Azurite blobs,
 * and serves per-subscription figures at GET /metrics/subscriptions.
 *
 * Run standalone: `tsx devhost/localstack/eventGridTopic.ts [--port 0] [--key k] [--subscriptions file]`;
 * it prints one JSON line `{ "endpoint", "key" }` and serves until SIGINT/SIGTERM. A subscriptions
 * file it cannot honour stops it at startup with the offending field named.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { CloudEvent, ValidationError as CloudEventValidationError } from 'cloudevents';
import { blobDeadLetterSink } from './eventgrid/deadLetter';
import { createDispatcher, type Dispatcher } from './eventgrid/delivery';
import { readSubscriptionsFile, type FunctionDestination, type Subscription } from './eventgrid/subscriptions';

/** A CloudEvent as received, in its structured JSON form. */
export type ReceivedEvent = Record<string, unknown> & { id: string; type: string; source: string; specversion: string };

export interface TopicLimits {
  maxEvents: number;
  maxRequestBytes: number;
  maxEventBytes: number;
}
/** Event Grid Basic custom-topic limits (azure-facts §1.3), reading "1 MB" as 1 MiB. */
export const TOPIC_LIMITS: Readonly<TopicLimits> = {
  maxEvents: 5000,
  maxRequestBytes: 1024 * 1024,
  maxEventBytes: 1024 * 1024,
};

export type InjectedStatus = 429 | 500 | 503;

export interface TopicStats {
  /** Publish requests (POST /api/events) received. */
  requests: number;
  /** Events accepted and stored. */
  accepted: number;
  /** Publish requests answered with an error (auth, validation, limits or an injected failure). */
  rejected: number;
}

export interface LocalTopic {
  /** http://127.0.0.1:port/api/events */
  endpoint: string;
  key: string;
  /** Every accepted event in arrival order; a redelivered event appears once per delivery. */
  events(): ReceivedEvent[];
  /** Accepted events grouped by CloudEvent id (more than one entry = duplicate deliveries). */
  eventsById(): Map<string, ReceivedEvent[]>;
  clear(): void;
  /** The next `n` publish requests with a valid key are answered with `status`. */
  failNext(n: number, status?: InjectedStatus): void;
  /** Publish requests with a valid key are answered with `status` for the next `ms` milliseconds. */
  failFor(ms: number, status?: InjectedStatus): void;
  stats(): TopicStats;
  /** Push delivery to the subscriptions (absent when the topic has none). */
  delivery?: Dispatcher;
  /** Where a function app named in a subscription runs (its origin and system key); until then its deliveries fail and retry. */
  attachFunctionApp(name: string, origin: string, key?: string): void;
  detachFunctionApp(name: string): void;
  stop(): Promise<void>;
}

/** Checks an event's `data` for its `type`; the topic refuses the batch with the errors it returns. */
export type EventDataValidator = (type: string, data: unknown) => { ok: true } | { ok: false; errors: string[] };

export interface TopicOptions {
  key?: string;
  port?: number;
  limits?: Partial<TopicLimits>;
  /** Validates each event's data (e.g. against the app's JSON Schemas); default: data is not checked. */
  validateData?: EventDataValidator;
  subscriptions?: Subscription[];
  /** Azure Storage connection string (Azurite) of the dead-letter containers. */
  deadLetterStorage?: string;
  /** Compresses Event Grid's retry schedule and time to live (e.g. 0.01: 10 s becomes 100 ms). */
  timeScale?: number;
  responseTimeoutMs?: number;
  log?: (message: string) => void;
}

/** Azure's Event Grid trigger endpoint of a function app: /runtime/webhooks/eventgrid with the system key. */
export function eventGridTriggerUrl(origin: string, functionName: string, key?: string): string {
  const url = new URL('/runtime/webhooks/eventgrid', origin);
  url.searchParams.set('functionName', functionName);
  if (key) url.searchParams.set('code', key);
  return url.href;
}

class TopicError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly detailCode = code,
  ) {
    super(message);
  }
}

export async function startEventGridTopic(opts: TopicOptions = {}): Promise<LocalTopic> {
  const key = opts.key ?? randomBytes(32).toString('base64');
  const limits: TopicLimits = { ...TOPIC_LIMITS, ...opts.limits };
  const received: ReceivedEvent[] = [];
  const stats: TopicStats = { requests: 0, accepted: 0, rejected: 0 };
  let failCount = 0;
  let failCountStatus: InjectedStatus = 503;
  let failUntil = 0;
  let failUntilStatus: InjectedStatus = 503;
  const functionApps = new Map<string, { origin: string; key?: string }>();
  const resolveFunction = (d: FunctionDestination): string | undefined => {
    const app = functionApps.get(d.functionApp);
    return app ? eventGridTriggerUrl(app.origin, d.functionName, app.key) : undefined;
  };
  const delivery =
    opts.subscriptions && opts.subscriptions.length > 0
      ? createDispatcher({
          subscriptions: opts.subscriptions,
          resolveFunction,
          deadLetters: opts.deadLetterStorage ? blobDeadLetterSink(opts.deadLetterStorage) : undefined,
          timeScale: opts.timeScale,
          responseTimeoutMs: opts.responseTimeoutMs,
          log: opts.log,
        })
      : undefined;

  const injectedFailure = (): InjectedStatus | undefined => {
    if (failCount > 0) {
      failCount -= 1;
      return failCountStatus;
    }
    return Date.now() < failUntil ? failUntilStatus : undefined;
  };

  const handlePublish = async (req: IncomingMessage): Promise<void> => {
    if (!keyMatches(req.headers['aeg-sas-key'], key)) {
      await drain(req);
      throw new TopicError(
        401,
        'Unauthorized',
        'The request authorization key is not authorized for this topic (aeg-sas-key missing or wrong).',
      );
    }
    const injected = injectedFailure();
    if (injected !== undefined) {
      await drain(req);
      throw new TopicError(
        injected,
        injected === 429 ? 'TooManyRequests' : 'ServiceUnavailable',
        `Injected failure ${injected}.`,
      );
    }
    const contentType = String(req.headers['content-type'] ?? '')
      .split(';')[0]!
      .trim()
      .toLowerCase();
    const isBatch = contentType === 'application/cloudevents-batch+json';
    if (!isBatch && contentType !== 'application/cloudevents+json') {
      await drain(req);
      throw new TopicError(
        400,
        'BadRequest',
        `This topic accepts CloudEvents 1.0: content-type must be application/cloudevents-batch+json, got '${contentType}'.`,
        'InvalidContentType',
      );
    }
    const body = await readBody(req, limits.maxRequestBytes);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch (e) {
      throw new TopicError(
        400,
        'BadRequest',
        `The request body is not valid JSON: ${(e as Error).message}`,
        'InputJsonInvalid',
      );
    }
    if (isBatch && !Array.isArray(parsed)) {
      throw new TopicError(
        400,
        'BadRequest',
        'A cloudevents-batch+json body must be a JSON array. Token Expected: StartArray.',
        'InputJsonInvalid',
      );
    }
    const items = isBatch ? (parsed as unknown[]) : [parsed];
    if (items.length > limits.maxEvents) {
      throw new TopicError(
        413,
        'RequestEntityTooLarge',
        `The batch has ${items.length} events; the limit is ${limits.maxEvents}.`,
      );
    }
    const accepted = items.map((item, index) => checkEvent(item, index, limits, opts.validateData));
    received.push(...accepted);
    stats.accepted += accepted.length;
    delivery?.publish(accepted);
  };

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/metrics/subscriptions' && req.method === 'GET') {
      const body = JSON.stringify({ subscriptions: delivery?.metrics() ?? [] });
      res
        .writeHead(200, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(body),
        })
        .end(body);
      return;
    }
    if (path !== '/api/events') {
      void drain(req).then(() =>
        sendError(res, new TopicError(404, 'NotFound', `No topic at ${path}; publish to /api/events.`)),
      );
      return;
    }
    if (req.method === 'OPTIONS') {
      res.writeHead(200, { 'aeg-input-event-schema': 'CloudEventSchemaV1_0', allow: 'POST, OPTIONS' }).end();
      return;
    }
    if (req.method !== 'POST') {
      void drain(req).then(() =>
        sendError(res, new TopicError(405, 'MethodNotAllowed', `Use POST, not ${req.method}.`)),
      );
      return;
    }
    stats.requests += 1;
    handlePublish(req).then(
      () => res.writeHead(200, { 'content-length': '0' }).end(),
      (e: unknown) => {
        stats.rejected += 1;
        sendError(res, e instanceof TopicError ? e : new TopicError(500, 'InternalServerError', String(e)));
      },
    );
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}/api/events`,
    key,
    events: () => [...received],
    eventsById: () => {
      const byId = new Map<string, ReceivedEvent[]>();
      for (const e of received) byId.set(e.id, [...(byId.get(e.id) ?? []), e]);
      return byId;
    },
    clear: () => {
      received.length = 0;
    },
    failNext: (n, status = 503) => {
      failCount = n;
      failCountStatus = status;
    },
    failFor: (ms, status = 503) => {
      failUntil = Date.now() + ms;
      failUntilStatus = status;
    },
    stats: () => ({ ...stats }),
    delivery,
    attachFunctionApp: (name, origin, appKey) => void functionApps.set(name, { origin, key: appKey }),
    detachFunctionApp: (name) => void functionApps.delete(name),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        delivery?.stop();
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function checkEvent(
  item: unknown,
  index: number,
  limits: TopicLimits,
  validateData?: EventDataValidator,
): ReceivedEvent {
  const bytes = Buffer.byteLength(JSON.stringify(item) ?? '', 'utf8');
  if (bytes > limits.maxEventBytes) {
    throw new TopicError(
      413,
      'RequestEntityTooLarge',
      `Event [${index}] is ${bytes} bytes; the limit per event is ${limits.maxEventBytes}.`,
    );
  }
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    throw new TopicError(400, 'BadRequest', `Event [${index}] must be a JSON object.`, 'InputJsonInvalid');
  }
  const event = item as Record<string, unknown>;
  if (event.specversion !== '1.0') {
    throw new TopicError(
      400,
      'BadRequest',
      `Event [${index}] field 'specversion' must be '1.0', got ${JSON.stringify(event.specversion)}.`,
      'InputJsonInvalid',
    );
  }
  try {
    new CloudEvent(event, true);
  } catch (e) {
    const details = e instanceof CloudEventValidationError && e.errors ? `: ${JSON.stringify(e.errors)}` : '';
    throw new TopicError(
      400,
      'BadRequest',
      `Event [${index}] (id ${String(event.id)}) is not a valid CloudEvent 1.0: ${(e as Error).message}${details}`,
      'InputJsonInvalid',
    );
  }
  const type = String(event.type);
  const check = validateData?.(type, event.data) ?? { ok: true };
  if (!check.ok) {
    throw new TopicError(
      400,
      'BadRequest',
      `Event [${index}] (id ${String(event.id)}, type ${type}) field 'data' is invalid: ${check.errors.join('; ')}`,
      'InputJsonInvalid',
    );
  }
  return event as ReceivedEvent;
}

function keyMatches(header: string | string[] | undefined, key: string): boolean {
  if (typeof header !== 'string') return false;
  const a = Buffer.from(header);
  const b = Buffer.from(key);
  return a.length === b.length && timingSafeEqual(a, b);
}

function sendError(res: ServerResponse, e: TopicError): void {
  const body = JSON.stringify({
    error: { code: e.code, message: e.message, details: [{ code: e.detailCode, message: e.message }] },
  });
  res
    .writeHead(e.status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    })
    .end(body);
}

async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await drain(req);
    throw new TopicError(
      413,
      'RequestEntityTooLarge',
      `The request is ${declared} bytes; the limit per request is ${maxBytes}.`,
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= maxBytes) chunks.push(chunk as Buffer);
  }
  if (size > maxBytes)
    throw new TopicError(413, 'RequestEntityTooLarge', `The request is over ${maxBytes} bytes, the limit per request.`);
  return Buffer.concat(chunks);
}

async function drain(req: IncomingMessage): Promise<void> {
  for await (const _ of req) {
    // discard: answering before the body is read would reset keep-alive connections
  }
}

if (require.main === module) {
  const arg = (name: string): string | undefined => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  Promise.resolve()
    .then(() => {
      const file = arg('subscriptions');
      return startEventGridTopic({
        port: Number(arg('port') ?? 0),
        key: arg('key'),
        subscriptions: file ? readSubscriptionsFile(file) : undefined,
      });
    })
    .then(
      (topic) => {
        process.stdout.write(`${JSON.stringify({ endpoint: topic.endpoint, key: topic.key })}\n`);
        const shutdown = (): void => void topic.stop().then(() => process.exit(0));
        process.once('SIGINT', shutdown);
        process.once('SIGTERM', shutdown);
      },
      (e: unknown) => {
        process.stderr.write(`local Event Grid topic failed to start: ${String(e)}\n`);
        process.exit(1);
      },
    );
}
