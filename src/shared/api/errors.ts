/** Errors that cross the API boundary: a stable code for programs, a sentence for people. */
import type { z } from 'zod';

export type ErrorCode =
  | 'invalid_request'
  | 'invalid_response'
  | 'unknown_method'
  | 'not_a_project'
  | 'newer_project'
  | 'not_found'
  | 'already_exists'
  | 'no_project'
  | 'conflict'
  | 'unavailable'
  | 'unauthorized'
  | 'transport'
  | 'internal';

export class GraftError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'GraftError';
    this.code = code;
  }
}

/** Turns a schema failure into one readable line per problem, naming where the problem is. */
export function describeSchemaError(error: z.ZodError, what: string): string {
  const lines = error.issues.map((issue) => {
    const where = issue.path.length ? issue.path.join('.') : what;
    return `${where}: ${issue.message}`;
  });
  return lines.join('; ');
}
