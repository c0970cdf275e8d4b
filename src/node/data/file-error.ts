/** Errors out of the file loader always name the file: a DataError saying which file, whatever failed inside. */
import { DataError, TwigaError } from '../../runtime/errors.js';

/**
 * `error` as a DataError whose message names `path`: a typed error keeps its code and context (the
 * file added when the message lacks it); anything else (a duckdb or parquet failure on a hostile file)
 * becomes DATA_INVALID with the original as its cause.
 */
export function namingFile(path: string, error: unknown): TwigaError {
  if (error instanceof TwigaError) {
    if (error.message.includes(path)) return error;
    const context = { ...error.context, file: path };
    if (error instanceof DataError) {
      const code = error.code as ConstructorParameters<typeof DataError>[3];
      return new DataError(`${path}: ${error.message}`, context, error, code);
    }
    return error;
  }
  const reason = (error instanceof Error ? error.message : String(error)).split('\n').slice(0, 3).join(' ');
  return new DataError(`could not load ${path}: ${reason}`, { path }, error);
}
