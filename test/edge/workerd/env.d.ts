/**
 * Types of `cloudflare:test` for the workerd tests, mirrored structurally so the project's
 * `types: ["node"]` check needs no @cloudflare/workers-types (which clash with @types/node).
 */
declare module 'cloudflare:test' {
  /** Bindings from wrangler.toml plus those the vitest config adds from the global setup. */
  interface ProvidedEnv {
    CHECKPOINTS: import('../../../src/edge/r2-types.js').R2BucketLike;
    TWIGA_SERVE_CHECKPOINT: string;
    TWIGA_SERVE_POLL_SECONDS: string;
    TWIGA_DRIFT_DATA_PREFIX: string;
    /** `inject('checkpointFiles')`: key → base64. */
    TEST_CHECKPOINT_FILES: Record<string, string>;
    /** `inject('recordsJson')`. */
    TEST_RECORDS_JSON: string;
    /** `inject('nodeForecast')`. */
    TEST_NODE_FORECAST: Record<string, number[]>;
    /** `inject('predictedJson')`. */
    TEST_PREDICTED_JSON: string;
    /** `inject('fleetJson')`. */
    TEST_FLEET_JSON: string;
    /** `inject('globalCheckpointFiles')`: a global model's files, key → base64. */
    TEST_GLOBAL_FILES: Record<string, string>;
    /** `inject('globalRecordsJson')`. */
    TEST_GLOBAL_RECORDS_JSON: string;
    /** `inject('globalExpectedJson')`. */
    TEST_GLOBAL_EXPECTED_JSON: string;
    /** `inject('trainCsv')`. */
    TEST_TRAIN_CSV: string;
    /** `inject('trainNodeForecast')`. */
    TEST_TRAIN_NODE_FORECAST: Record<string, number[]>;
    /** Cases per route for the route fuzzer (`npm run fuzz -- --runs N`); empty for the fast slice. */
    TWIGA_FUZZ_RUNS: string;
    TWIGA_FUZZ_SEED: string;
    /** `inject('mlflowUri')`: the recording MLflow stand-in (test/edge/mlflow-stand-in.ts). */
    TWIGA_MLFLOW_TRACKING_URI: string;
    RETRAIN_WORKFLOW: import('../../../src/edge/retrain-bindings.js').WorkflowLike<unknown>;
  }
  export const env: ProvidedEnv;
  export function createMessageBatch(
    queueName: string,
    messages: Array<{ id: string; timestamp: Date; attempts: number; body: unknown }>,
  ): import('../../../src/edge/retrain-bindings.js').MessageBatchLike;
  export function getQueueResult(
    batch: import('../../../src/edge/retrain-bindings.js').MessageBatchLike,
    ctx: ExecutionContextLike,
  ): Promise<{
    outcome: string;
    retryBatch: unknown;
    ackAll: boolean;
    explicitAcks: string[];
    explicitRetries: unknown[];
    retryMessages: Array<{ msgId: string }>;
  }>;
  export interface WorkflowInstanceIntrospector {
    modify(
      fn: (m: {
        disableRetryDelays(step?: unknown): Promise<void>;
        disableSleeps(steps?: unknown): Promise<void>;
      }) => Promise<void>,
    ): Promise<unknown>;
    waitForStatus(status: string): Promise<void>;
    getOutput(): Promise<unknown>;
    getError(): Promise<{ name: string; message: string }>;
    dispose(): Promise<void>;
  }
  export interface WorkflowInstanceModifier {
    disableRetryDelays(step?: unknown): Promise<void>;
    mockStepResult(step: { name: string; index?: number }, stepResult: unknown): Promise<void>;
  }
  export interface WorkflowIntrospector {
    modifyAll(fn: (m: WorkflowInstanceModifier) => Promise<void>): Promise<void>;
    get(): WorkflowInstanceIntrospector[];
    dispose(): Promise<void>;
  }
  export function introspectWorkflow(workflow: unknown): Promise<WorkflowIntrospector>;
  export function introspectWorkflowInstance(
    workflow: unknown,
    id: string,
  ): Promise<WorkflowInstanceIntrospector>;
  /** The `main` Worker's default export, called like a service binding. */
  export interface ExecutionContextLike {
    waitUntil(promise: Promise<unknown>): void;
    passThroughOnException(): void;
    readonly props: unknown;
  }
  export function createExecutionContext(): ExecutionContextLike;
  export function waitOnExecutionContext(ctx: ExecutionContextLike): Promise<void>;
  export function createScheduledController(options?: {
    scheduledTime?: Date | number;
    cron?: string;
  }): unknown;
  export const SELF: { fetch(input: string | Request, init?: RequestInit): Promise<Response> };
}
