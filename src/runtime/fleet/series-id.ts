/** Series ids of a panel: they name checkpoints (`<name>/<series>/`), so they are checked, never rewritten. */
import { DataError } from '../errors.js';

/** Longest accepted series id, in characters. */
export const MAX_SERIES_ID_LENGTH = 128;

/** Why `id` cannot be a series id, or undefined when it can. */
export function seriesIdProblem(id: string): string | undefined {
  if (id.length === 0) return 'is empty';
  if (id.length > MAX_SERIES_ID_LENGTH)
    return `is ${id.length} characters long (at most ${MAX_SERIES_ID_LENGTH})`;
  if (id.includes('/') || id.includes('\\')) return 'contains a path separator';
  if (id === '.' || id.includes('..')) return 'contains ".." or is "."';
  // Series folders sit beside nothing else, but a version-like or `_`-prefixed name reads as checkpoint bookkeeping.
  if (/^v\d{4,}$/.test(id) || id.startsWith('_')) return 'reads as a checkpoint folder or file (v0001, _…)';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this rejects
  if (/[\u0000-\u001f\u007f]/.test(id)) return 'contains a control character';
  return undefined;
}

/**
 * Refuse an id that cannot name a checkpoint folder: empty, longer than 128 characters, holding `/`, `\`,
 * `..` or a control character. A refusal, not a sanitize: two ids must never map to one folder.
 * @throws DataError naming the id and the column it came from.
 */
export function checkSeriesId(id: string, column: string): string {
  const problem = seriesIdProblem(id);
  if (problem) {
    throw new DataError(`series id ${JSON.stringify(id)} in column "${column}" ${problem}`, {
      column,
      id,
      problem,
    });
  }
  return id;
}
