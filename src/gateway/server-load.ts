/**
 * The HTTP server's model requests (src/server/admission.ts): how many it holds now, and how many
 * it has refused since start because `server.max_in_flight` were in flight. The gateway owns the
 * counts so that `/metrics` can read them; the server keeps them.
 */
export interface ServerLoad {
  inFlight: number;
  shed: number;
}
