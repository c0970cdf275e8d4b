export {
  beatsIncumbent,
  driftDecision,
  metricValue,
  performanceDecision,
  type RetrainDecision,
  type RetrainPolicy,
  type RetrainPolicyInput,
  RetrainPolicySchema,
  type RetrainReason,
  retrainPolicy,
} from './decision.js';
export { RETRAIN_REASONS, type RetrainingResult, RetrainingResultSchema } from './retraining-result.js';
