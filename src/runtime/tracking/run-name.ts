/** Random run names in MLflow's `<predicate>-<noun>-<n>` form (mlflow/utils/name_utils.py). */

/** A uniform integer in [0, n) from Web Crypto (Node, browsers and workerd alike); n is small here. */
function randomInt(n: number): number {
  const webCrypto = (globalThis as unknown as { crypto: { getRandomValues(a: Uint32Array): Uint32Array } })
    .crypto;
  return webCrypto.getRandomValues(new Uint32Array(1))[0]! % n;
}

// A sample of name_utils.py's _GENERATOR_PREDICATES and _GENERATOR_NOUNS.
const PREDICATES = ['able', 'bold', 'bright', 'calm', 'clean', 'gentle', 'nimble', 'polite', 'rare', 'wise'];
const NOUNS = ['ant', 'bee', 'cod', 'doe', 'elk', 'fox', 'gnu', 'owl', 'ram', 'yak'];

/**
 * `_generate_random_name()`: predicate, noun and an integer in [0, 1000], at most 20 characters.
 * @example
 * randomRunName(); // "calm-owl-417"
 */
export function randomRunName(): string {
  const pick = (words: string[]) => words[randomInt(words.length)]!;
  return `${pick(PREDICATES)}-${pick(NOUNS)}-${randomInt(1001)}`.slice(0, 20);
}
