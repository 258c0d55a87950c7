/**
 * The saga's orchestrator as the app registers it, with every activity registered under its real
 * name. Replay tests script the activities (the test kit replaces them), so nothing here touches
 * Cosmos, Tables, Event Grid or the external service.
 */
import * as df from 'durable-functions';
import { STEP_NAMES } from '../../src/application/steps/workflowSteps';
import { registerRequestWorkflow } from '../../src/functions/orchestrators/requestWorkflow';

registerRequestWorkflow();
for (const name of STEP_NAMES) {
  df.app.activity(name, {
    handler: () => {
      throw new Error(`${name} must be scripted in replay tests`);
    },
  });
}
