/**
 * Event Grid triggers (`app.eventGrid`), served where Azure serves them:
 * `/runtime/webhooks/eventgrid?functionName=<name>` with the system key (here the host key when
 * keys are required). Ported from the rules of the Event Grid extension
 * (Azure/azure-sdk-for-net, Microsoft.Azure.WebJobs.Extensions.EventGrid:
 * Config/EventGridExtensionConfigProvider.cs and TriggerBinding/HttpRequestProcessor.cs):
 * an unknown function is 404 "cannot find function"; `aeg-event-type: SubscriptionValidation`
 * answers `{ validationResponse }`; `Notification` takes one event or an array, runs the function
 * once per event, answers 202 when all succeed and 500 with the error when one fails (so Event Grid
 * redelivers); `Unsubscribe` is 202; anything else 400. The CloudEvents OPTIONS handshake
 * (WebHook-Request-Origin) is answered with WebHook-Allowed-Origin.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registration } from '../functions/types';
import { readBody, requestUrl, sendError, DEFAULT_MAX_BODY_BYTES } from './httpUtil';
import type { FunctionInfo } from './loadApp';
import type { HostLog } from './log';
import { runFunction } from './runFunction';

export const EVENT_GRID_WEBHOOK_PATH = '/runtime/webhooks/eventgrid';

export interface EventGridTriggerOptions {
  functions: FunctionInfo[];
  registrations: Map<string, Registration>;
  requiredKey?: string;
  functionTimeoutMs?: number;
  log: HostLog;
}

export function createEventGridTriggerHandler(
  options: EventGridTriggerOptions,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const triggers = new Map(
    options.functions
      .filter((f) => f.triggerType.toLowerCase() === 'eventgridtrigger')
      .map((f) => [f.name.toLowerCase(), f]),
  );
  return async (req, res) => {
    const url = requestUrl(req);
    if (
      options.requiredKey &&
      (url.searchParams.get('code') ?? req.headers['x-functions-key']) !== options.requiredKey
    ) {
      return void res.writeHead(401, { 'Content-Length': '0' }).end();
    }
    const functionName = url.searchParams.get('functionName') ?? '';
    const fn = triggers.get(functionName.toLowerCase());
    if (!fn) return sendText(res, 404, `cannot find function: '${functionName}'`);
    if (req.method === 'OPTIONS') {
      const origin = req.headers['webhook-request-origin'];
      res.writeHead(200, {
        ...(typeof origin === 'string' ? { 'WebHook-Allowed-Origin': origin } : {}),
        'Content-Length': '0',
      });
      return void res.end();
    }
    if (req.method !== 'POST')
      return sendError(res, 405, `Use POST (or OPTIONS for the validation handshake), not ${req.method}.`);
    const kind = String(req.headers['aeg-event-type'] ?? '').toLowerCase();
    const body = await readBody(req, DEFAULT_MAX_BODY_BYTES);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch (e) {
      return sendText(res, 400, `The request content is not JSON: ${(e as Error).message}`);
    }
    if (kind === 'subscriptionvalidation') {
      const first = (Array.isArray(parsed) ? parsed[0] : parsed) as { data?: unknown } | undefined;
      const data =
        typeof first?.data === 'string'
          ? (JSON.parse(first.data) as { validationCode?: string })
          : (first?.data as { validationCode?: string } | undefined);
      return sendText(res, 200, JSON.stringify({ validationResponse: data?.validationCode }), 'application/json');
    }
    if (kind === 'unsubscribe') return void res.writeHead(202, { 'Content-Length': '0' }).end();
    if (kind !== 'notification') return void res.writeHead(400, { 'Content-Length': '0' }).end();
    if (typeof parsed !== 'object' || parsed === null)
      return sendText(res, 400, 'The request content should be a JSON object or array.');
    const events = Array.isArray(parsed) ? parsed : [parsed];
    const reg = options.registrations.get(fn.name) as Registration;
    const results = await Promise.allSettled(
      events.map((event) =>
        runFunction(reg, {
          trigger: { json: JSON.stringify(event) },
          reason: `EventGrid trigger fired at ${new Date().toISOString()}`,
          timeoutMs: options.functionTimeoutMs,
          log: options.log,
        }),
      ),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) return sendText(res, 500, (failed.reason as Error)?.message ?? String(failed.reason));
    res.writeHead(202, { 'Content-Length': '0' }).end();
  };
}

function sendText(res: ServerResponse, status: number, text: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text) }).end(text);
}
