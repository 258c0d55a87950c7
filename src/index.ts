/**
 * The function app's entry (package.json "main"). Registration only; behaviour lives in
 * application/ (use cases, the saga) over domain/ (pure rules) and infrastructure/ (adapters).
 */
import { app } from '@azure/functions';
import { registerActivities } from './functions/activities';
import { registerDiscovery } from './functions/discovery';
import { registerReplayApi } from './functions/http/replayApi';
import { registerRequestsApi } from './functions/http/requestsApi';
import { registerDashboard } from './functions/dashboard/dashboardApi';
import { registerSchemasApi } from './functions/http/schemasApi';
import { registerRequestWorkflow } from './functions/orchestrators/requestWorkflow';
import { setupTracing } from './infrastructure/telemetry/tracing';

setupTracing();
app.setup({ enableHttpStream: false });
registerRequestWorkflow();
registerActivities();
registerDiscovery();
registerRequestsApi();
registerReplayApi();
registerSchemasApi();
registerDashboard();
