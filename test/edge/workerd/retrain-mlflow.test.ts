/**
 * MLflow from the Worker, inside workerd: the retraining Workflow's `track` step logs each run over
 * MLflow's REST API to a RECORDING STAND-IN for an MLflow server (test/edge/mlflow-stand-in.ts, a node:http
 * server on 127.0.0.1 started by the global setup; workerd reaches it by plain fetch). Faults injected on
 * purpose in the stand-in (`mlflow-down`, `mlflow-flaky`) and in the run (`mlflow-fail`, TWIGA_RETRAIN_FAULT)
 * show that tracking retries without duplicating and never fails the retraining run.
 */
import { env, introspectWorkflowInstance } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { type RetrainMessage, retrainInstanceId } from '../../../src/runtime/retrain/message.js';
import type { RunRecord } from '../../../src/runtime/retrain/run-record.js';
import { INSTANCE_TAG } from '../../../src/runtime/retrain/track-run.js';
import type { StandInRun, StandInState } from '../mlflow-stand-in.js';
import { actAsNodeWorker, deliver, runRecord, seedSmallWindow } from './retrain-helpers.js';

const message = (model: string): RetrainMessage => ({
  model,
  version: 0,
  reason: 'drift',
  window: '2024-03-01T00:00:00.000Z',
});

/**
 * Seeds the model's data, delivers its message (retry delays off), waits for `status`; the record. These
 * models have no incumbent, so the fit is handed to Node: unless the run fails before its hand-off, the test
 * writes the Node worker's result (`kept`) in its place.
 */
async function runOne(
  model: string,
  status: 'complete' | 'errored',
): Promise<{ id: string; run: RunRecord }> {
  await seedSmallWindow(model, '2024-02-28');
  const id = retrainInstanceId(message(model));
  const instance = await introspectWorkflowInstance(env.RETRAIN_WORKFLOW, id);
  try {
    await instance.modify(async (m) => m.disableRetryDelays());
    await deliver([message(model)], model);
    if (status === 'complete') await actAsNodeWorker(id, model);
    await instance.waitForStatus(status);
  } finally {
    await instance.dispose();
  }
  return { id, run: await runRecord(model, id) };
}

/** The stand-in's runs for one instance (by the instance-id tag). */
async function mlflowRuns(id: string): Promise<StandInRun[]> {
  const state = (await (await fetch(`${env.TWIGA_MLFLOW_TRACKING_URI}/__runs`)).json()) as StandInState;
  return state.runs.filter((r) => r.tags[INSTANCE_TAG] === id);
}

describe('retraining runs logged to MLflow from the Worker', () => {
  it('logs the run with its tags, params and step metrics, and ends it FINISHED', async () => {
    const { id, run } = await runOne('mlflow-a', 'complete');
    const runs = await mlflowRuns(id);
    expect(runs).toHaveLength(1);
    const [tracked] = runs;
    expect(tracked!.info.status).toBe('FINISHED');
    expect(tracked!.tags).toMatchObject({
      'mlflow.runName': id,
      'twiga.model': 'mlflow-a',
      'twiga.outcome': run.outcome,
      'twiga.incumbent_version': '0',
      'twiga.detail': run.detail,
    });
    expect(tracked!.tags['twiga.job_key']).toBe(run.job_key);
    expect(tracked!.params).toMatchObject({ model: 'mlflow-a', reason: 'drift', incumbent_version: '0' });
    const keys = tracked!.metrics.map((m) => m.key);
    expect(keys).toEqual(expect.arrayContaining(run.steps.map((s) => `step/${s.name}/ms`)));
    expect(run.errors).toBeUndefined();
  });

  it('a failed run is logged FAILED with its error, and the instance still ends errored', async () => {
    const { id, run } = await runOne('mlflow-fail', 'errored');
    expect(run.outcome).toBe('failed');
    const [tracked] = await mlflowRuns(id);
    expect(tracked!.info.status).toBe('FAILED');
    expect(tracked!.tags['twiga.error']).toBe(run.error);
  });

  it('a retried track step completes the run its dead attempt created, not a second one', async () => {
    const { id, run } = await runOne('mlflow-flaky', 'complete');
    const runs = await mlflowRuns(id);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.info.status).toBe('FINISHED');
    expect(runs[0]!.tags['twiga.outcome']).toBe(run.outcome);
    expect(run.errors).toBeUndefined();
  });

  it('an unreachable MLflow does not fail the run: the failure is in the record errors', async () => {
    const { id, run } = await runOne('mlflow-down', 'complete');
    expect(run.outcome).toBe('kept');
    expect(run.errors).toHaveLength(1);
    // The step's error as the Workflow rethrows it past its retries ("TrackingError: " in workerd): a transient
    // failure, retried, not cut short as a permanent one.
    expect(run.errors![0]).toMatch(
      /^track: (TrackingError: )?MLflow POST \/api\/2\.0\/mlflow\/runs\/create failed \(503/,
    );
    expect(await mlflowRuns(id)).toEqual([]);
  });
});
