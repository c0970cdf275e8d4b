/** A worker thread fitting and scoring whole series of a per_series fleet (its own ORT engine), via comlink. */
import { parentPort } from 'node:worker_threads';
import { expose } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { createOnnxEngine } from '../runtime/onnx/engine.js';
import { toReply } from '../runtime/serving/error-wire.js';
import { fitSeriesJob } from './fit-series.js';
import type { FleetThreadApi } from './fleet-thread-api.js';

const engine = createOnnxEngine();
const api: FleetThreadApi = { fitSeries: (job) => toReply(() => fitSeriesJob(job, engine)) };

if (!parentPort) throw new Error('fleet-thread must run in a worker thread');
expose(api, nodeEndpoint(parentPort));
