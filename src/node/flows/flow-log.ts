/**
 * Structured flow logs: one event per task start, retry, success and failure (plus the messages tasks
 * log), as JSON lines on stderr by default, so a log shipper can parse them; stdout stays for results.
 */
import type { Logger } from '../log.js';

/** Severity of a flow log event. */
export type FlowLevel = 'info' | 'warn' | 'error';

/** One log event. `task` is absent for flow-level events. */
export interface FlowEvent {
  /** ISO 8601. */
  ts: string;
  level: FlowLevel;
  flow: string;
  flow_run_id: string;
  task?: string;
  /** `flow.start`, `flow.done`, `flow.failed`, `task.start`, `task.retry`, `task.done`, `task.failed`, `log`. */
  event: string;
  message?: string;
  attempt?: number;
  duration_ms?: number;
  error?: { name: string; code?: string; message: string };
  [field: string]: unknown;
}

/** Where flow log events go (stderr as JSON lines by default). */
export type LogSink = (event: FlowEvent) => void;

/** JSON lines on a stream (default stderr). */
export function jsonLogSink(stream: NodeJS.WritableStream = process.stderr): LogSink {
  return (event) => {
    stream.write(`${JSON.stringify(event)}\n`);
  };
}

/** `[twiga-edge] training/fit: done in 3.2 s` lines, for people at a terminal. */
export function textLogSink(stream: NodeJS.WritableStream = process.stderr): LogSink {
  return (e) => {
    const where = e.task ? `${e.flow}/${e.task}` : e.flow;
    const level = e.level === 'info' ? '' : `${e.level}: `;
    const what =
      e.event === 'log'
        ? (e.message ?? '')
        : [
            e.event.replace(/^(task|flow)\./, ''),
            e.attempt !== undefined && e.attempt > 1 ? `(attempt ${e.attempt})` : '',
            e.duration_ms !== undefined ? `in ${(e.duration_ms / 1000).toFixed(1)} s` : '',
            e.error ? `— ${e.error.name}: ${e.error.message}` : (e.message ?? ''),
          ]
            .filter(Boolean)
            .join(' ');
    stream.write(`[twiga-edge] ${level}${where}: ${what}\n`);
  };
}

/** Events kept in memory; for tests and for callers that forward them elsewhere. */
export function memoryLogSink(): LogSink & { events: FlowEvent[] } {
  const events: FlowEvent[] = [];
  return Object.assign((e: FlowEvent) => void events.push(e), { events });
}

/** The `error` field of an event: class name, typed code when there is one, message. */
export function errorField(error: unknown): NonNullable<FlowEvent['error']> {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { name: error.name, ...(typeof code === 'string' ? { code } : {}), message: error.message };
  }
  return { name: 'Error', message: String(error) };
}

/** Where a flow's events go, with its name and run id filled in. */
export class FlowLog {
  constructor(
    readonly flow: string,
    readonly flowRunId: string,
    private readonly sink: LogSink,
  ) {}

  emit(level: FlowLevel, event: string, fields: Partial<FlowEvent> = {}): void {
    this.sink({
      ts: new Date().toISOString(),
      level,
      flow: this.flow,
      flow_run_id: this.flowRunId,
      event,
      ...fields,
    });
  }

  info(message: string, fields: Partial<FlowEvent> = {}): void {
    this.emit('info', 'log', { message, ...fields });
  }

  warn(message: string, fields: Partial<FlowEvent> = {}): void {
    this.emit('warn', 'log', { message, ...fields });
  }

  /** The CLI's `Logger` interface over this log, for library code that reports steps and repairs. */
  logger(task?: string): Logger {
    const at = task === undefined ? {} : { task };
    return {
      info: (m) => this.info(m, at),
      warn: (m) => this.warn(m, at),
      step: (m) => this.info(m, at),
      done: () => undefined,
    };
  }
}
