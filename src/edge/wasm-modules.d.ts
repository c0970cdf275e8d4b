/** `.wasm` imports: wrangler and the workerd test pool turn them into precompiled `WebAssembly.Module`s. */
declare module '*.wasm' {
  /** Opaque `WebAssembly.Module` (the ES lib declares no WebAssembly types). */
  const module: object;
  export default module;
}
