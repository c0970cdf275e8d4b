/**
 * The retraining queue's consumer: one Workflow instance per message, with the message's idempotent id,
 * so a redelivered message starts no second run. The batch's instances start with one `createBatch` call
 * where the binding has it; when that call fails (an id already exists, as after a redelivery) each
 * message is decided alone: an id that already exists is acked, any other failure is retried (and after
 * `max_retries` lands in the dead-letter queue, wrangler.toml).
 */
import { type RetrainMessage, retrainInstanceId, retrainMessage } from '../runtime/retrain/message.js';
import type { MessageBatchLike, QueueLike, QueueMessageLike, WorkflowLike } from './retrain-bindings.js';

/** What happened to each message of a batch. */
export interface ConsumedMessage {
  id: string;
  instance?: string;
  outcome: 'started' | 'duplicate' | 'invalid' | 'retried';
  error?: string;
}

/** Workflows' limit on one `createBatch` call. */
export const MAX_CREATE_BATCH = 100;

/** Queues' limit on one `sendBatch` call, in messages (these bodies are far below its 256 KB). */
export const MAX_SEND_BATCH = 100;

/**
 * Sends the cron's messages in `sendBatch` calls of at most MAX_SEND_BATCH: a fleet with more due models
 * than that would otherwise have its one call refused, and no model retrained.
 * @returns how many `sendBatch` calls were made
 */
export async function sendRetrainMessages(
  queue: QueueLike<RetrainMessage>,
  messages: readonly RetrainMessage[],
): Promise<number> {
  let calls = 0;
  for (let i = 0; i < messages.length; i += MAX_SEND_BATCH, calls++) {
    await queue.sendBatch(messages.slice(i, i + MAX_SEND_BATCH).map((body) => ({ body })));
  }
  return calls;
}

const text = (error: unknown) => (error instanceof Error ? error.message : String(error));

interface Valid {
  message: QueueMessageLike;
  body: RetrainMessage;
  instance: string;
}

/** Starts the batch's Workflow instances; acks or retries each message. */
export async function consumeRetrainBatch(
  batch: MessageBatchLike,
  workflow: WorkflowLike<RetrainMessage>,
): Promise<ConsumedMessage[]> {
  const out: ConsumedMessage[] = [];
  const valid: Valid[] = [];
  const seen = new Set<string>();
  for (const message of batch.messages) {
    let body: RetrainMessage;
    try {
      body = retrainMessage(message.body);
    } catch (error) {
      // A malformed body fails the same way on every delivery: ack it and log, do not feed the DLQ loop.
      message.ack();
      out.push({ id: message.id, outcome: 'invalid', error: text(error) });
      continue;
    }
    const instance = retrainInstanceId(body);
    if (seen.has(instance)) {
      // The same run twice in one batch: the first message starts it.
      message.ack();
      out.push({ id: message.id, instance, outcome: 'duplicate' });
      continue;
    }
    seen.add(instance);
    valid.push({ message, body, instance });
  }
  for (let i = 0; i < valid.length; i += MAX_CREATE_BATCH) {
    out.push(...(await startChunk(valid.slice(i, i + MAX_CREATE_BATCH), workflow)));
  }
  return out;
}

/** One `createBatch` call for the chunk, else one `create` per message. */
async function startChunk(
  chunk: Valid[],
  workflow: WorkflowLike<RetrainMessage>,
): Promise<ConsumedMessage[]> {
  let batchError: string | undefined;
  if (workflow.createBatch && chunk.length > 1) {
    try {
      await workflow.createBatch(chunk.map((v) => ({ id: v.instance, params: v.body })));
      return chunk.map((v) => {
        v.message.ack();
        return { id: v.message.id, instance: v.instance, outcome: 'started' as const };
      });
    } catch (error) {
      // Most likely an id that exists (a redelivery); one by one tells which, and retries only real failures.
      batchError = text(error);
    }
  }
  const out: ConsumedMessage[] = [];
  for (const { message, body, instance } of chunk) {
    try {
      await workflow.create({ id: instance, params: body });
      message.ack();
      out.push({ id: message.id, instance, outcome: 'started' });
    } catch (error) {
      // `create` throws when the id exists; confirm by looking it up rather than by the error's wording.
      const existing = await workflow.get(instance).then(
        () => ({ found: true as const }),
        (lookup: unknown) => ({ found: false as const, error: text(lookup) }),
      );
      if (existing.found) {
        message.ack();
        out.push({ id: message.id, instance, outcome: 'duplicate' });
      } else {
        message.retry();
        const errors = [`create: ${text(error)}`, `get: ${existing.error}`];
        if (batchError) errors.unshift(`createBatch: ${batchError}`);
        out.push({ id: message.id, instance, outcome: 'retried', error: errors.join('; ') });
      }
    }
  }
  return out;
}
