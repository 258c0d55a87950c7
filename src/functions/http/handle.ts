/** Wraps an HTTP handler so every failure becomes problem+json and nothing escapes to the host as a 500 stack. */
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { ensureError, errorCodeOf } from '../../application/errors';
import { HttpProblem, problem } from './problem';

export type Handler<A extends unknown[]> = (request: HttpRequest, ...rest: A) => Promise<HttpResponseInit>;

export function handled<A extends unknown[]>(fn: Handler<A>): Handler<A> {
  return async (request, ...rest) => {
    try {
      return await fn(request, ...rest);
    } catch (e) {
      if (e instanceof HttpProblem) return e.toResponse();
      const context = rest.find(
        (r): r is InvocationContext => typeof (r as InvocationContext)?.invocationId === 'string',
      );
      const err = ensureError(e);
      switch (errorCodeOf(e)) {
        case 'Validation':
          return problem(400, 'Bad Request', err.message);
        case 'NotFound':
          return problem(404, 'Not Found', err.message);
        case 'Conflict':
        case 'Concurrency':
          return problem(409, 'Conflict', err.message);
        case 'Transient':
          return {
            ...problem(503, 'Service Unavailable', err.message),
            headers: { 'content-type': 'application/problem+json', 'retry-after': '5' },
          };
        case 'Configuration':
          context?.error(err);
          return problem(500, 'Configuration Error', err.message);
        default:
          context?.error(err);
          return problem(500, 'Internal Server Error', 'the request failed; see the function log for details');
      }
    }
  };
}
