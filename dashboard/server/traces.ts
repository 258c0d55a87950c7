/**
 * One trace's spans for the dashboard's waterfall. Locally the app exports to the devhost's OTLP
 * receiver on loopback, which also answers `GET /traces/{id}`; in Azure the spans are in Application
 * Insights (operation_Id = trace id), which the dashboard links to instead.
 */
import { badRequest, Problem } from './problem';

export function traceIdOf(raw: string | undefined): string {
  if (!raw || !/^[0-9a-f]{32}$/i.test(raw))
    throw badRequest(`'${String(raw ?? '').slice(0, 80)}' is not a trace id (32 hex digits)`, 'traceId');
  return raw.toLowerCase();
}

export async function traceSpans(
  traceId: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ traceId: string; spans: unknown[] }> {
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (!endpoint || !['127.0.0.1', 'localhost', '[::1]'].includes(new URL(endpoint).hostname)) {
    throw new Problem(
      501,
      'Not Implemented',
      `spans are exported to ${env.APPLICATIONINSIGHTS_CONNECTION_STRING ? 'Application Insights' : 'no local receiver'}; look the trace up there (operation_Id == ${traceId})`,
      { traceId },
    );
  }
  const res = await fetch(new URL(`/traces/${traceId}`, endpoint));
  if (!res.ok) throw new Problem(502, 'Bad Gateway', `the span receiver answered ${res.status}`);
  return (await res.json()) as { traceId: string; spans: unknown[] };
}
