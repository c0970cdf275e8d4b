/** SHA-256 of bytes as lowercase hex, via Web Crypto (Node, browsers and workerd alike). */

/** The one piece of Web Crypto we need, mirrored so the runtime does not depend on DOM or Node types. */
interface DigestOnly {
  digest(algorithm: 'SHA-256', data: Uint8Array): Promise<ArrayBuffer>;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function subtle(): DigestOnly {
  const found = (globalThis as unknown as { crypto?: { subtle?: DigestOnly } }).crypto?.subtle;
  if (!found) {
    // Browsers expose crypto.subtle only in secure contexts (https:, localhost).
    throw new Error(
      'sha256 needs Web Crypto (globalThis.crypto.subtle), which this context does not provide',
    );
  }
  return found;
}

/**
 * Hex-encoded SHA-256 of `bytes` (only the view's bytes, not its whole buffer).
 * @param bytes the content to hash.
 * @example
 * await sha256Hex(new TextEncoder().encode('abc')); // 'ba7816bf…15ad'
 */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await subtle().digest('SHA-256', bytes));
  let out = '';
  for (const byte of digest) out += HEX[byte];
  return out;
}
