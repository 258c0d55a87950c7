/**
 * What a job does, chosen by the submission payload's `scenario`. Progression is counted in
 * steps (polls or elapsed time, see jobBook): step 0 is Created, the next `inprogressSteps` steps
 * are Inprogress, and after that the job is terminal.
 */
import type { ExternalJobStatus } from '../src/domain/status';

export interface Scenario {
  inprogressSteps: number;
  /** The terminal status for this attempt, or undefined to stay Inprogress forever. */
  terminal(attempt: number): ExternalJobStatus | undefined;
}

export const SCENARIOS: Readonly<Record<string, Scenario>> = {
  pass: { inprogressSteps: 1, terminal: () => 'Pass' },
  fail: { inprogressSteps: 1, terminal: () => 'Fail' },
  failcanretry: { inprogressSteps: 1, terminal: () => 'FailCanRetry' },
  'failcanretry-then-pass': { inprogressSteps: 1, terminal: (attempt) => (attempt <= 1 ? 'FailCanRetry' : 'Pass') },
  never: { inprogressSteps: 1, terminal: () => undefined },
  'slow-pass': { inprogressSteps: 5, terminal: () => 'Pass' },
};

export const DEFAULT_SCENARIO = 'pass';

export function statusAtStep(scenario: Scenario, attempt: number, step: number): ExternalJobStatus {
  if (step <= 0) return 'Created';
  if (step <= scenario.inprogressSteps) return 'Inprogress';
  return scenario.terminal(attempt) ?? 'Inprogress';
}

export function isTerminal(status: ExternalJobStatus): boolean {
  return status === 'Pass' || status === 'Fail' || status === 'FailCanRetry';
}
