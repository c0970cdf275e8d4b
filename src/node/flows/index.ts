/** twiga's flows in TypeScript: training and drift-aware retraining, as tasks with retries and structured logs. */

export { type FleetFlowResult, fleetTrainingFlow, loadPanelTask } from './fleet-flow.js';
export {
  type FleetModelOutcome,
  type FleetModelRetrainResult,
  type FleetRetrainingFlowOptions,
  FleetRetrainingFlowOptionsSchema,
  type FleetRetrainingResult,
  fleetRetrainingFlow,
} from './fleet-retraining-flow.js';
export {
  errorField,
  type FlowEvent,
  type FlowLevel,
  FlowLog,
  jsonLogSink,
  type LogSink,
  memoryLogSink,
  textLogSink,
} from './flow-log.js';
export { type CommonFlowOptions, CommonFlowOptionsSchema, type FlowDeps } from './flow-setup.js';
export { type Incumbent, loadIncumbentTask } from './incumbent.js';
export { metricsTable } from './metrics-table.js';
export { type ReloadInput, type ReloadOutcome, reloadTask } from './reload.js';
export {
  type RetrainingFlowOptions,
  RetrainingFlowOptionsSchema,
  retrainingFlow,
} from './retraining-flow.js';
export {
  checkDriftTask,
  evaluateForecasterTask,
  loadWindowsTask,
  promoteTask,
  type RetrainData,
  type RetrainSpec,
  specOfIncumbent,
} from './retraining-tasks.js';
export { logTrainingTask, publishReportTask, startRunTask } from './run-tasks.js';
export { runOnSchedule, type ScheduleOptions } from './schedule.js';
export {
  type RetryPolicy,
  type Task,
  type TaskContext,
  TaskFailedError,
  type TaskOptions,
  task,
} from './task.js';
export { type TrainingFlowOptions, TrainingFlowOptionsSchema, trainingFlow } from './training-flow.js';
export { evaluateTask, fitTask, loadDataTask, saveCheckpointTask } from './training-tasks.js';
export { isTransient, TransientError } from './transient.js';
