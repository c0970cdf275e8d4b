/**
 * The retraining queue's message and the Workflow instance id derived from it: platform-free, so the cron
 * (producer), the consumer and the Node worker agree on both.
 */
import { z } from 'zod';
import { parseWith } from '../schemas/parse.js';

/** One model that the cron found due: which model, against which incumbent, on which data window. */
export const RetrainMessageSchema = z
  .object({
    model: z.string().min(1),
    /** The incumbent version the decision was made against (0 = none). */
    version: z.number().int().min(0),
    /** Why it is due (`drift` or `performance`, decision.ts). */
    reason: z.string().min(1),
    /** The data window checked, e.g. the drift summary's first and last timestamps or its stamp. */
    window: z.string().min(1),
  })
  .strict();
/** A parsed retraining message. */
export type RetrainMessage = z.output<typeof RetrainMessageSchema>;

/** Parse a queue message body (every bad field named). */
export function retrainMessage(body: unknown): RetrainMessage {
  return parseWith(RetrainMessageSchema, body, 'retraining message');
}

/** Workflows' instance id rule: 1–100 chars of `[A-Za-z0-9_-]`, not starting with `-`. */
const MAX_ID = 100;

/**
 * The idempotent instance id of a message: model + incumbent version + data window, sanitised to the
 * Workflows id rule. A redelivered message maps to the same id, so creating it again fails with "already
 * exists" and starts no second run. Long ids keep a readable head and a hash of the whole.
 * @example
 * retrainInstanceId({ model: 'feeder-0001', version: 3, reason: 'drift', window: '2024-01-01T00:00' });
 * // 'feeder-0001_v3_2024-01-01T00-00'
 */
export function retrainInstanceId(message: Pick<RetrainMessage, 'model' | 'version' | 'window'>): string {
  const raw = `${message.model}_v${message.version}_${message.window}`;
  let id = raw.replace(/[^A-Za-z0-9_-]/g, '-').replace(/^-+/, '_');
  if (id.length > MAX_ID) id = `${id.slice(0, MAX_ID - 9)}_${fnv1a(raw)}`;
  return id;
}

/** 32-bit FNV-1a as 8 hex digits: a stable, dependency-free tail for shortened ids. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}
