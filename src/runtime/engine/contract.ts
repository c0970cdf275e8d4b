/** The inference contract every engine implements: ONNX bytes → session → float32 `[N, F]` → `[N, H·T]`. */

/** The engines behind {@link InferenceEngine}: onnxruntime-web, or the lean evaluator of `src/runtime/lean`. */
export type EngineName = 'ort' | 'lean';

/** What a platform asks for: `auto` = lean when it can run every node of a graph, else onnxruntime-web. */
export type EngineChoice = 'auto' | EngineName;

/** The engine choices, for schemas and flags. */
export const ENGINE_CHOICES = ['auto', 'ort', 'lean'] as const satisfies readonly EngineChoice[];

/** Which of a model's tensors carry the features in and the forecast out. */
export interface ModelIONames {
  /** @default `features`, or the model's only input */
  input?: string;
  /** @default `forecast`, or the model's first output */
  output?: string;
}

/** A loaded model mapping `features: float32[nRows, nFeatures]` to `forecast: float32[nRows, nOut]`. */
export interface InferenceSession {
  readonly label: string;
  /** The engine that runs this model. */
  readonly engine: EngineName;
  /** Runs one batch; `features` is row-major and must hold exactly `nRows * nFeatures` values. */
  run(features: Float32Array, nRows: number, nFeatures: number): Promise<Float32Array>;
  /** Frees the session; later `run` calls reject. */
  release(): Promise<void>;
}

/** Loads ONNX models into sessions. */
export interface InferenceEngine {
  /**
   * Parses and prepares a model; `label` names it in errors. Models written by this package use
   * `features`/`forecast`; models from other tools (e.g. onnxmltools) name theirs in `io` or are
   * read through their only input and first output.
   */
  load(bytes: Uint8Array, label: string, io?: ModelIONames): Promise<InferenceSession>;
}

const INPUT = 'features';
const OUTPUT = 'forecast';

/** Resolves the input/output tensor names, or says (as a string) what the model offers. */
export function resolveIONames(
  label: string,
  inputs: readonly string[],
  outputs: readonly string[],
  io: ModelIONames,
): { input: string; output: string } | string {
  const input = io.input ?? (inputs.includes(INPUT) ? INPUT : inputs.length === 1 ? inputs[0] : undefined);
  const output = io.output ?? (outputs.includes(OUTPUT) ? OUTPUT : outputs[0]);
  if (input === undefined || !inputs.includes(input) || output === undefined || !outputs.includes(output)) {
    return `model "${label}" needs one float input of features and an output of forecasts${io.input || io.output ? ` (asked for input "${io.input ?? INPUT}", output "${io.output ?? OUTPUT}")` : ''}; it has inputs [${inputs.join(', ')}] and outputs [${outputs.join(', ')}]`;
  }
  return { input, output };
}
