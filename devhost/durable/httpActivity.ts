/**
 * `context.df.callHttp`: the extension runs each request as the built-in activity
 * `BuiltIn::HttpActivity` (DurableOrchestrationContext.CallHttpAsync) and hands the SDK a
 * DurableHttpResponse `{ statusCode, headers, content }`. The 202 polling between requests is
 * orchestration work (durable timers, hidden ids): see httpPolling.ts.
 *
 * Token sources (managed identity) fail the call: the devhost has no identity to get a token from.
 */
export const HTTP_ACTIVITY = 'BuiltIn::HttpActivity';

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
    throw new Error(
      `callHttp with a managed-identity token source (resource '${request.tokenSource.resource ?? '?'}') is not supported by the devhost: in Azure the Durable extension gets an access token for that resource from the app's managed identity and sends it as 'Authorization: Bearer …'. Locally, call without tokenSource and set the Authorization header yourself.`,
    );
  }
  if (!request.uri) throw new Error('callHttp needs a url.');
  return send(request.method ?? 'GET', request.uri, request.headers, request.content);
}

async function send(
  method: string,
  uri: string,
  headers: Record<string, string> = {},
  content?: string,
): Promise<DurableHttpResponse> {
  const res = await fetch(uri, {
    method,
    headers,
    body: content === undefined || content === null || method === 'GET' ? undefined : content,
  });
  return { statusCode: res.status, headers: Object.fromEntries(res.headers.entries()), content: await res.text() };
}
