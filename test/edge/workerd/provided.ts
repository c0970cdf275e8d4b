/** What the workerd global setup (Node) hands to the pool config and the tests inside workerd. */

/** Name of the checkpoint the global setup trains (`TWIGA_SERVE_CHECKPOINT` in wrangler.toml). */
export const CHECKPOINT_NAME = 'twiga';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A real checkpoint: key relative to the store root (`twiga/v0001/pipeline.json`, …) → base64 bytes. */
    checkpointFiles: Record<string, string>;
    /** The last 10 days of the training series as records `[{ timestamp: '2024-…', net_load: 512.3 }]`. */
    recordsJson: string;
    /** `predictLatest` on those records in Node: model label (and `ensemble`) → the 48 forecast values. */
    nodeForecast: Record<string, number[]>;
    /** `twiga-edge predict` (the real CLI) on those records, as JSON text. */
    predictedJson: string;
    /** The seeded fleet (test/edge/fleet-fixture.ts) without its temp paths, as JSON text. */
    fleetJson: string;
    /** A global checkpoint over 3 series (`fleet-global/v0001/…`) → base64 bytes. */
    globalCheckpointFiles: Record<string, string>;
    /** The last 4 days of its 3 series as records with `unique_id`. */
    globalRecordsJson: string;
    /** What the runtime answers for them in Node (PanelForecastJson with 90 % intervals). */
    globalExpectedJson: string;
    /** The header and first 600 rows of ETTh1.csv (test/edge/train-fixture.ts trains on them). */
    trainCsv: string;
    /** Node's test-split forecasts of that training job (worker-thread GBDT), label → values. */
    trainNodeForecast: Record<string, number[]>;
    /** Base URI of the recording MLflow stand-in (test/edge/mlflow-stand-in.ts) on 127.0.0.1. */
    mlflowUri: string;
  }
}
