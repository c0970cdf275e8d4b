/** Settings both servers run with in the route suite (workerd via the vitest config, Node via the environment). */
export const ROUTE_SETTINGS = {
  apiKey: 'route-suite-key',
  pollSeconds: 1,
  maxBodyBytes: 1_000_000,
} as const;

export const routeEnv = (): Record<string, string> => ({
  TWIGA_SERVE_API_KEY: ROUTE_SETTINGS.apiKey,
  TWIGA_SERVE_POLL_SECONDS: String(ROUTE_SETTINGS.pollSeconds),
  TWIGA_SERVE_MAX_BODY_BYTES: String(ROUTE_SETTINGS.maxBodyBytes),
});
