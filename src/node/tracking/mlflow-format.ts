/** MLflow's formats (platform-free, in src/runtime/tracking) plus the file store's ids, made with node:crypto. */
import { randomInt, randomUUID } from 'node:crypto';

export * from '../../runtime/tracking/mlflow-format.js';

/** Run id: `uuid.uuid4().hex` (file_store.py `create_run`), 32 lowercase hex characters. */
export function newRunId(): string {
  return randomUUID().replaceAll('-', '');
}

/**
 * Experiment id as `_generate_unique_integer_id` (mlflow/utils/name_utils.py) makes it: the last 18
 * decimal digits of a uuid4's integer, each leading zero answered by one more random digit at the end
 * (so the integer keeps 18 digits).
 */
export function newExperimentId(): string {
  let digits = BigInt(`0x${randomUUID().replaceAll('-', '')}`)
    .toString()
    .slice(-18);
  for (const ch of digits) {
    if (ch !== '0') break;
    digits += String(randomInt(10));
  }
  return BigInt(digits).toString();
}
