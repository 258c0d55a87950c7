/**
 * The subscriber's app settings; a missing one is a startup error naming it. Its store is either
 * a connection string (SUBSCRIBER_STORAGE, local: Azurite) or a table endpoint reached with the
 * app's managed identity (SUBSCRIBER_TABLE_ENDPOINT, Azure: no keys).
 */
export interface SubscriberSettings {
  store: { connectionString: string } | { tableEndpoint: string };
  /** Origin of the workflow app, for gap filling (WORKFLOW_API_URL). */
  workflowApiUrl: string;
  /** Function key of the workflow app's API, when it requires one (WORKFLOW_API_KEY). */
  workflowApiKey?: string;
}

export function loadSubscriberSettings(env: NodeJS.ProcessEnv = process.env): SubscriberSettings {
  const missing: string[] = [];
  if (!env.SUBSCRIBER_STORAGE && !env.SUBSCRIBER_TABLE_ENDPOINT)
    missing.push('SUBSCRIBER_STORAGE (local) or SUBSCRIBER_TABLE_ENDPOINT (Azure)');
  if (!env.WORKFLOW_API_URL) missing.push('WORKFLOW_API_URL');
  if (missing.length > 0) throw new Error(`subscriber: missing app setting(s) ${missing.join(', ')}`);
  return {
    store: env.SUBSCRIBER_STORAGE
      ? { connectionString: env.SUBSCRIBER_STORAGE }
      : { tableEndpoint: env.SUBSCRIBER_TABLE_ENDPOINT! },
    workflowApiUrl: env.WORKFLOW_API_URL!,
    workflowApiKey: env.WORKFLOW_API_KEY || undefined,
  };
}
