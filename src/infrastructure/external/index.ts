export { HttpExternalJobs, type HttpExternalJobsOptions } from './httpExternalJobs';
