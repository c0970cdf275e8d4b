/** Turn zod failures into a ConfigError whose message names every offending field. */
import type { z } from 'zod';
import { ConfigError, type TwigaIssue } from '../errors.js';

export function issuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

export function toIssues(error: z.ZodError, prefix = ''): TwigaIssue[] {
  return error.issues.map((issue) => {
    const path = issuePath(issue.path);
    return {
      path: prefix && path === '(root)' ? prefix : prefix ? `${prefix}.${path}` : path,
      message: issue.message,
    };
  });
}

/**
 * Parse `value` with `schema`; on failure throw a ConfigError listing each field.
 * @param what names the thing being parsed in the message, e.g. "pipeline config".
 */
export function parseWith<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
  prefix = '',
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = toIssues(result.error, prefix);
  const lines = issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n');
  throw new ConfigError(`Invalid ${what}:\n${lines}`, issues);
}
