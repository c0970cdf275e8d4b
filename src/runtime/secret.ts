/** A secret setting (an API key, a token) that never prints: String(), JSON and Node's inspect show a mask. */

const MASK = '**********';

/**
 * Wraps a secret value so that logging, `JSON.stringify` or `console.log` of a settings object cannot leak
 * it (as pydantic's `SecretStr` does for twiga). Read it with {@link Secret.reveal} where it is used.
 * @example
 * const key = new Secret('s3cret');
 * JSON.stringify({ key }); // '{"key":"**********"}'
 * key.reveal(); // 's3cret'
 */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  /** The secret itself; call it only where the value is sent (a header, a comparison). */
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return MASK;
  }
  toJSON(): string {
    return MASK;
  }
  /** Node's `util.inspect` (console.log); a registered symbol, so no Node import is needed here. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Secret(${MASK})`;
  }
}
