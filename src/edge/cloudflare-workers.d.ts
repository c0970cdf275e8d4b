/**
 * The slice of `cloudflare:workers` the retraining Workflow uses, mirrored structurally (like r2-types.ts)
 * so the project's `types: ["node"]` check needs no @cloudflare/workers-types.
 */
declare module 'cloudflare:workers' {
  export interface WorkflowEvent<T> {
    payload: Readonly<T>;
    timestamp: Date;
    instanceId: string;
  }
  export interface WorkflowStepConfig {
    retries?: { limit: number; delay: string | number; backoff?: 'constant' | 'linear' | 'exponential' };
    timeout?: string | number;
  }
  export interface WorkflowStep {
    do<T>(name: string, config: WorkflowStepConfig, callback: () => Promise<T>): Promise<T>;
    sleep(name: string, duration: string | number): Promise<void>;
  }
  export abstract class WorkflowEntrypoint<Env = unknown, T = unknown> {
    protected ctx: unknown;
    protected env: Env;
    constructor(ctx: unknown, env: Env);
    run(event: Readonly<WorkflowEvent<T>>, step: WorkflowStep): Promise<unknown>;
  }
}

/** `NonRetryableError`: thrown from a `step.do` callback, the step fails at once, without its retries. */
declare module 'cloudflare:workflows' {
  export class NonRetryableError extends Error {
    constructor(message: string, name?: string);
  }
}
