/**
 * The retraining queue's consumer: one Workflow instance per message, with the message's idempotent id,
 * so a redelivered message starts no second run. An id that already exists is acked; any other failure is
 * retried (and after `max_retries` lands in the dead-letter queue, wrangler.toml).
 */
import { type RetrainMessage, retrainInstanceId, retrainMessage } from '../runtime/retrain/message.js';
import type { MessageBatchLike, WorkflowLike } from './retrain-bindings.js';

/** What happened to each message of a batch. */
export interface ConsumedMessage {
  id: string;
  instance?: string;
  outcome: 'started' | 'duplicate' | 'invalid' | 'retried';
  error?: string;
}

const text = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Starts the batch's Workflow instances; acks or retries each message. */
export async function consumeRetrainBatch(
  batch: MessageBatchLike,
  workflow: WorkflowLike<RetrainMessage>,
): Promise<ConsumedMessage[]> {
  const out: ConsumedMessage[] = [];
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
    try {
      await workflow.create({ id: instance, params: body });
      message.ack();
      out.push({ id: message.id, instance, outcome: 'started' });
    } catch (error) {
      // `create` throws when the id exists; confirm by looking it up rather than by the error's wording.
      const existing = await workflow.get(instance).catch(() => undefined);
      if (existing) {
        message.ack();
        out.push({ id: message.id, instance, outcome: 'duplicate' });
      } else {
        message.retry();
        out.push({ id: message.id, instance, outcome: 'retried', error: text(error) });
      }
    }
  }
  return out;
}
