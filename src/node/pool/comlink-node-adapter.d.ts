/** Types for comlink's Node adapter, which its package ships without an `.d.mts` beside the `.mjs`. */
declare module 'comlink/dist/esm/node-adapter.mjs' {
  import type { Endpoint } from 'comlink';
  export default function nodeEndpoint(port: unknown): Endpoint;
}
