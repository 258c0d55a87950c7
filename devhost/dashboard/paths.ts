/** Where the devhost serves the dashboard and its API. */
export const DASHBOARD_PATH = '/_devhost/dashboard/';
export const DASHBOARD_API = '/_devhost/api/';
