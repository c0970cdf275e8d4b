/** Logging to stderr (stdout is reserved for JSON results), with an optional progress bar on a TTY. */
import { SingleBar } from 'cli-progress';

/** Progress and warnings of a long job: lines on stderr and, on a terminal, a progress bar over its steps. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  /** Start a step of a multi-step job; the bar (TTY only) advances as steps start. */
  step(name: string): void;
  done(): void;
}

/** A logger that writes lines to stderr and shows a progress bar when stderr is a terminal. */
export function createLogger(options: { totalSteps?: number; quiet?: boolean } = {}): Logger {
  const quiet = options.quiet ?? false;
  const tty = process.stderr.isTTY === true && !quiet;
  let bar: SingleBar | undefined;
  let stepNo = 0;
  const line = (prefix: string, message: string) => {
    if (quiet && prefix !== 'warn') return;
    if (bar) bar.stop();
    process.stderr.write(`[twiga-edge] ${prefix === 'info' ? '' : `${prefix}: `}${message}\n`);
    if (bar && options.totalSteps) {
      bar = newBar();
      bar.start(options.totalSteps, stepNo);
    }
  };
  const newBar = () =>
    new SingleBar({
      stream: process.stderr,
      format: ' {bar} {value}/{total} {step}',
      hideCursor: true,
      clearOnComplete: true,
    });
  return {
    info: (m) => line('info', m),
    warn: (m) => line('warn', m),
    step(name) {
      stepNo++;
      if (tty && options.totalSteps) {
        if (!bar) {
          bar = newBar();
          bar.start(options.totalSteps, 0, { step: name });
        }
        bar.update(stepNo - 1, { step: name });
      } else if (!quiet) {
        process.stderr.write(`[twiga-edge] ${name}\n`);
      }
    },
    done() {
      if (bar) {
        bar.update(options.totalSteps ?? stepNo, { step: 'done' });
        bar.stop();
        bar = undefined;
      }
    },
  };
}

/** A logger that records lines in memory; for library use and tests. */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(m),
    warn: (m) => lines.push(`warn: ${m}`),
    step: (m) => lines.push(`step: ${m}`),
    done: () => undefined,
  };
}
