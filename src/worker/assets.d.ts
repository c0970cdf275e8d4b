/** Vite's `?url` imports: the emitted asset's URL (ORT's and the drift core's `.wasm`). */
declare module '*?url' {
  const url: string;
  export default url;
}
