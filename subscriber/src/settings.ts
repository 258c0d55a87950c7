/** The subscriber's app settings; a missing one is a startup error naming it. */
export interface SubscriberSettings {
  /** Storage for the inbox and read model (SUBSCRIBER_STORAGE). */
  storage: string;
  /** Origin of the workflow app, for gap filling (WORKFLOW_API_URL). */
  workflowApiUrl: string;
  /** Function key of the workflow app's API, when it requires one (WORKFLOW_API_KEY). */
  workflowApiKey?: string;
}

export function loadSubscriberSettings(env: NodeJS.ProcessEnv = process.env): SubscriberSettings {
  const missing = ['SUBSCRIBER_STORAGE', 'WORKFLOW_API_URL'].filter((n) => !env[n]);
  if (missing.length > 0) throw new Error(`subscriber: missing app setting(s) ${missing.join(', ')}`);
  return { storage: env.SUBSCRIBER_STORAGE!, workflowApiUrl: env.WORKFLOW_API_URL!, workflowApiKey: env.WORKFLOW_API_KEY || undefined };
}
