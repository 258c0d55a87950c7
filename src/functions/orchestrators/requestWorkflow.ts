import * as df from 'durable-functions';
import { ORCHESTRATOR } from '../../application/workflow/contracts';
import { requestWorkflow } from '../../application/workflow/requestWorkflow';
import { tracedOrchestrator } from '../telemetry';

export function registerRequestWorkflow(): void {
  df.app.orchestration(ORCHESTRATOR, tracedOrchestrator(ORCHESTRATOR, requestWorkflow));
}
