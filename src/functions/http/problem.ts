/** RFC 9457 problem details: every error this API returns has this shape. */
import type { HttpResponseInit } from '@azure/functions';

export interface ProblemFields {
  /** Which input was wrong, when one was. */
  field?: string;
  [key: string]: unknown;
}

export function problem(status: number, title: string, detail: string, fields: ProblemFields = {}): HttpResponseInit {
  return {
    status,
    headers: { 'content-type': 'application/problem+json' },
    jsonBody: { type: `https://httpstatuses.io/${status}`, title, status, detail, ...fields },
  };
}

export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    detail: string,
    readonly fields: ProblemFields = {},
  ) {
    super(detail);
  }
  toResponse(): HttpResponseInit {
    return problem(this.status, this.title, this.message, this.fields);
  }
}

export const badRequest = (detail: string, field?: string): HttpProblem =>
  new HttpProblem(400, 'Bad Request', detail, field ? { field } : {});
export const notFound = (detail: string): HttpProblem => new HttpProblem(404, 'Not Found', detail);
export const conflict = (detail: string): HttpProblem => new HttpProblem(409, 'Conflict', detail);
