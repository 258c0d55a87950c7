/** The discovery timer: the same use case as POST /api/discover, on an NCRONTAB schedule from settings. */
import type { InvocationContext, Timer } from '@azure/functions';
import * as df from 'durable-functions';
import { discoverRequests } from '../application/requests/discoverRequests';
import { getServices } from '../infrastructure/services';
import { discoveryDeps } from './discoveryDeps';
import { durableRuntime } from './durableRuntime';
import { inSpan } from '../infrastructure/telemetry/spans';
import { logLine } from './log';

async function discoverOnSchedule(_timer: Timer, client: df.DurableClient, context: InvocationContext): Promise<void> {
  // The run is its own span; each started request's trace continues from its work item, or starts anew.
  const report = await inSpan('discoverRequests', {}, async () =>
    discoverRequests(discoveryDeps(await getServices(), durableRuntime(client))),
  );
  // A run that found nothing logs nothing (it runs every few seconds).
  if (report.examined > 0) {
    logLine(
      context,
      'information',
      `discovery: ${report.started.length} started, ${report.alreadyRunning.length} already running, ${report.quarantined.length} quarantined, ${report.lostRace} lost races, ${report.failed.length} failed`,
    );
  }
  for (const id of report.started)
    logLine(context, 'information', 'workflow started', { requestId: id, instanceId: id });
  for (const q of report.quarantined)
    logLine(context, 'warning', `quarantined intake row ${q.partitionKey}/${q.rowKey}: ${q.reason}`, {
      requestId: q.rowKey,
    });
  for (const f of report.failed)
    logLine(context, 'error', `discovery of ${f.rowKey} failed: ${f.error}`, { requestId: f.rowKey });
}

export function registerDiscovery(): void {
  // %DISCOVERY_SCHEDULE% is resolved from app settings by the host (defaults documented in settings.ts).
  df.app.client.timer('discoverRequests', { schedule: '%DISCOVERY_SCHEDULE%', handler: discoverOnSchedule });
}
