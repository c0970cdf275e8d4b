/** The Queue and Workflow bindings of the retraining loop, mirrored structurally (see r2-types.ts). */

/** `Workflow` binding: create an instance by id (or up to 100 in one call), look one up. */
export interface WorkflowLike<Params> {
  create(options: { id: string; params: Params }): Promise<{ id: string }>;
  /** Absent on older runtimes; throws when an id exists (then nothing tells which were created). */
  createBatch?(batch: Array<{ id: string; params: Params }>): Promise<Array<{ id: string }>>;
  get(id: string): Promise<{ id: string; status(): Promise<{ status: string }> }>;
}

/** `Queue` producer binding. */
export interface QueueLike<Body> {
  send(body: Body): Promise<void>;
  sendBatch(messages: Iterable<{ body: Body }>): Promise<void>;
}

/** One delivered message (`Message`). */
export interface QueueMessageLike {
  readonly id: string;
  readonly body: unknown;
  readonly attempts: number;
  ack(): void;
  retry(): void;
}

/** A delivered batch (`MessageBatch`). */
export interface MessageBatchLike {
  readonly queue: string;
  readonly messages: readonly QueueMessageLike[];
}
