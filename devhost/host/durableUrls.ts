/**
 * The URLs the Durable extension hands out: the `durableClient` binding data (docs/DURABLE_PROTOCOL.md
 * §9.1) and the management links of a check-status response (§9.3/§9.4).
 */

export interface DurableUrlContext {
  /** Public webhook base without trailing slash, e.g. http://localhost:7071/runtime/webhooks/durabletask */
  webhookBase: string;
  taskHubName: string;
  /** Connection name shown in the links; the extension's default is "Storage". */
  connectionName?: string;
  /** The system key; included as `code=` only when keys are enforced. */
  code?: string;
}

export const WEBHOOK_PATH = '/runtime/webhooks/durabletask';
export const INSTANCE_ID_PLACEHOLDER = 'INSTANCEID';

export interface ManagementUrls {
  id: string;
  statusQueryGetUri: string;
  sendEventPostUri: string;
  terminatePostUri: string;
  rewindPostUri: string;
  purgeHistoryDeleteUri: string;
  restartPostUri: string;
  suspendPostUri: string;
  resumePostUri: string;
}

/**
 * .NET's WebUtility.UrlEncode, which the extension applies to the instance id, task hub and
 * connection in management links (HttpApiHandler.GetClientResponseLinks): letters, digits and
 * `-_.!*()` stay, a space becomes '+', everything else is %XX of its UTF-8 bytes.
 */
export function webUtilityUrlEncode(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.!*()]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function managementUrls(ctx: DurableUrlContext, instanceId: string): ManagementUrls {
  const q = `taskHub=${webUtilityUrlEncode(ctx.taskHubName)}&connection=${webUtilityUrlEncode(ctx.connectionName ?? 'Storage')}${ctx.code ? `&code=${ctx.code}` : ''}`;
  const instance = `${ctx.webhookBase}/instances/${instanceId === INSTANCE_ID_PLACEHOLDER ? instanceId : webUtilityUrlEncode(instanceId)}`;
  return {
    id: instanceId,
    statusQueryGetUri: `${instance}?${q}`,
    sendEventPostUri: `${instance}/raiseEvent/{eventName}?${q}`,
    terminatePostUri: `${instance}/terminate?reason={text}&${q}`,
    rewindPostUri: `${instance}/rewind?reason={text}&${q}`,
    purgeHistoryDeleteUri: `${instance}?${q}`,
    restartPostUri: `${instance}/restart?${q}`,
    suspendPostUri: `${instance}/suspend?reason={text}&${q}`,
    resumePostUri: `${instance}/resume?reason={text}&${q}`,
  };
}

/** Body of the 202 answer to `POST orchestrators/...` (the extension leaves out rewindPostUri there). */
export function checkStatusPayload(ctx: DurableUrlContext, instanceId: string): Omit<ManagementUrls, 'rewindPostUri'> {
  const { rewindPostUri: _omitted, ...rest } = managementUrls(ctx, instanceId);
  return rest;
}

export interface DurableClientBindingData {
  taskHubName: string;
  creationUrls: { createNewInstancePostUri: string; createAndWaitOnNewInstancePostUri: string };
  managementUrls: ManagementUrls;
  baseUrl: string;
  requiredQueryStringParameters: string;
  rpcBaseUrl: string;
  connectionName: null;
  httpBaseUrl: null;
}

/** What the extension serialises for a `durableClient` input; `rpcBaseUrl` must end with '/'. */
export function durableClientBindingData(ctx: DurableUrlContext, rpcBaseUrl: string): DurableClientBindingData {
  if (!rpcBaseUrl.endsWith('/'))
    throw new Error(`rpcBaseUrl "${rpcBaseUrl}" must end with '/': the client resolves relative paths against it.`);
  const code = ctx.code ? `code=${ctx.code}` : '';
  const create = `${ctx.webhookBase}/orchestrators/{functionName}[/{instanceId}]`;
  return {
    taskHubName: ctx.taskHubName,
    creationUrls: {
      createNewInstancePostUri: code ? `${create}?${code}` : create,
      createAndWaitOnNewInstancePostUri: `${create}?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}${code ? `&${code}` : ''}`,
    },
    managementUrls: managementUrls(ctx, INSTANCE_ID_PLACEHOLDER),
    baseUrl: ctx.webhookBase,
    requiredQueryStringParameters: code,
    rpcBaseUrl,
    // Filled only by the gRPC variant, which the JS SDK does not use; the extension sends nulls.
    connectionName: null,
    httpBaseUrl: null,
  };
}
