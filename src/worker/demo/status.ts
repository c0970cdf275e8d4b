/** The page's live status line and its alert region for errors (typed runtime errors keep their code and issues). */
import { byId, el } from './dom.js';

const status = () => byId('status');
const alertBox = () => byId('alert');

/** Announces progress politely (an `aria-live` region); `busy` marks the page as working. */
export function setStatus(message: string, busy = false): void {
  status().textContent = message;
  document.body.toggleAttribute('aria-busy', busy);
}

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  issues?: unknown;
}

/** Shows an error in the alert region: its class, code, message and any per-field issues. */
export function showError(what: string, error: unknown): void {
  const e = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as ErrorLike;
  const name = typeof e.name === 'string' ? e.name : 'Error';
  const code = typeof e.code === 'string' ? ` (${e.code})` : '';
  const box = alertBox();
  box.replaceChildren(
    el('strong', `${what} failed.`),
    ' ',
    el('span', `${name}${code}: ${typeof e.message === 'string' ? e.message : String(error)}`),
  );
  if (Array.isArray(e.issues) && e.issues.length > 0) {
    box.append(
      el(
        'ul',
        e.issues.map((issue: { path?: string; message?: string }) =>
          el('li', `${issue.path ?? ''}: ${issue.message ?? ''}`),
        ),
      ),
    );
  }
  box.dataset['errorName'] = name;
  if (typeof e.code === 'string') box.dataset['errorCode'] = e.code;
  else delete box.dataset['errorCode'];
  box.hidden = false;
  setStatus(`${what} failed.`);
}

/** Hides the alert region. */
export function clearError(): void {
  const box = alertBox();
  box.hidden = true;
  box.replaceChildren();
}
