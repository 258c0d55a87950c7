/**
 * `context.df.callHttp`: the extension runs it as the built-in activity `BuiltIn::HttpActivity`
 * (DurableOrchestrationContext.CallHttpAsync) and hands the SDK a DurableHttpResponse
 * `{ statusCode, headers, content }`.
 *
 * The 202 polling pattern (asynchronousPatternEnabled, the default): while the answer is 202 with a
 * Location header, wait Retry-After seconds (default 30, the extension's
 * defaultAsyncRequestSleepTimeMilliseconds) and GET the Location. Azure does this with durable
 * timers and one activity per poll (the SDK mirrors them with sequence ids of its own); the devhost
 * polls inside the one activity, so the orchestrator sees the same final response but the SDK never
 * sees a 202 and allocates no poll ids (later ids are two lower per poll than in Azure), and a poll
 * in progress does not survive a host crash (the activity runs again from the first request).
 *
 * Token sources (managed identity) fail the call: the devhost has no identity to get a token from.
 */
export const HTTP_ACTIVITY = 'BuiltIn::HttpActivity';
const DEFAULT_POLL_MS = 30_000;

interface DurableHttpRequest {
  method?: string;
  uri?: string;
  content?: string;
  headers?: Record<string, string>;
  tokenSource?: { resource?: string; kind?: string } | null;
  asynchronousPatternEnabled?: boolean;
}

export interface DurableHttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  content: string;
}

export async function runHttpActivity(request: DurableHttpRequest): Promise<DurableHttpResponse> {
  if (request.tokenSource) {
    throw new Error(`callHttp with a managed-identity token source (resource '${request.tokenSource.resource ?? '?'}') is not supported by the devhost: in Azure the Durable extension gets an access token for that resource from the app's managed identity and sends it as 'Authorization: Bearer …'. Locally, call without tokenSource and set the Authorization header yourself.`);
  }
  if (!request.uri) throw new Error('callHttp needs a url.');
  let response = await send(request.method ?? 'GET', request.uri, request.headers, request.content);
  while (request.asynchronousPatternEnabled !== false && response.statusCode === 202 && header(response, 'location')) {
    const retryAfter = Number(header(response, 'retry-after'));
    await new Promise((r) => setTimeout(r, Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter * 1000 : DEFAULT_POLL_MS));
    response = await send('GET', new URL(header(response, 'location') as string, request.uri).href, request.headers);
  }
  return response;
}

async function send(method: string, uri: string, headers: Record<string, string> = {}, content?: string): Promise<DurableHttpResponse> {
  const res = await fetch(uri, { method, headers, body: content === undefined || content === null || method === 'GET' ? undefined : content });
  return { statusCode: res.status, headers: Object.fromEntries(res.headers.entries()), content: await res.text() };
}

function header(response: DurableHttpResponse, name: string): string | undefined {
  const key = Object.keys(response.headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : response.headers[key];
}
