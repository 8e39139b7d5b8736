/**
 * Graceful shutdown of the HTTP server: stop accepting, let the requests in flight finish, close
 * each connection as soon as it holds no request, and cut what is left at a deadline.
 *
 * node's `server.close()` alone closes the keep-alive connections that are idle at that moment
 * and then waits for every other one to end by itself. Two kinds never do in time: a connection
 * that was opened and has not sent a request yet (node counts it as busy until its headers time
 * out, 60 s later; fetch opens one when a streamed response is aborted), and a stream that goes
 * on for minutes. Behind an orchestrator that kills the process after a grace period, waiting for
 * them only turns a clean stop into a kill.
 *
 * An HTTP/2 connection (`server.tls.http2`) is told to stop with a GOAWAY: its client opens no new
 * stream on it, and it closes when its open streams are done, or is cut at the deadline. Once
 * node has closed its side of it, the client gets LINGER_MS to close its own.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Http2SecureServer, Http2Session, ServerHttp2Stream } from 'node:http2';
import type { Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';

/** How often, while draining, connections that have finished their request are looked for and closed. */
const SWEEP_INTERVAL_MS = 50;

/**
 * While draining, how long a connection that node has ended on its side (after its GOAWAY, or its
 * last response), with nothing of it left in its buffer, waits for its client to close the other
 * side before it is cut. A client that
 * never does, or that stops reading so that the end cannot be written, would otherwise hold the
 * shutdown to its deadline, and count as a request cut there. Long enough for what the server
 * wrote last to reach a client that reads before a cut could reset the connection.
 */
const LINGER_MS = 1_000;

/** Set on a socket once a request has come in on it. */
const SERVED = Symbol('served');
/** While draining: when the socket was first seen ended on its side, with nothing left in its buffer. */
const ENDED_AT = Symbol('ended at');
type TrackedSocket = Socket & { [SERVED]?: true; [ENDED_AT]?: number };

/** On an HTTP/2 connection: its streams not yet closed. */
const OPEN_STREAMS = Symbol('open streams');
type TrackedSession = Http2Session & { [OPEN_STREAMS]: number };

export interface DrainResult {
  /** Connections cut at the deadline: each had a request still in flight. */
  cut: number;
}

export class ConnectionDrain {
  /** The connections requests come in on: TCP sockets, or with TLS the TLS sockets over them. */
  private readonly sockets = new Set<TrackedSocket>();
  /** With TLS, the TCP sockets under them too: one still in its handshake is in no other set. */
  private readonly raw = new Set<Socket>();
  /** With HTTP/2, its connections: each is closed with a GOAWAY when draining starts. */
  private readonly sessions = new Set<TrackedSession>();
  private draining = false;

  constructor(
    private readonly server: Server | HttpsServer | Http2SecureServer,
    { secure = false, http2 }: { secure?: boolean; http2?: { idleTimeoutMs: number } | undefined } = {},
  ) {
    const track = (set: Set<Socket>) => (socket: Socket) => {
      set.add(socket);
      socket.once('close', () => set.delete(socket));
    };
    if (secure) {
      // A request's socket (what `requested` marks) is the TLS socket, which comes with secureConnection.
      server.on('secureConnection', track(this.sockets));
      server.on('connection', track(this.raw));
    } else {
      server.on('connection', track(this.sockets));
    }
    if (http2 !== undefined) this.trackSessions(server as Http2SecureServer, http2.idleTimeoutMs);
  }

  /** HTTP/2: each connection's open streams are counted (none of this runs for HTTP/1.1 requests). */
  private trackSessions(server: Http2SecureServer, idleTimeoutMs: number): void {
    server.on('session', (session: Http2Session) => {
      const tracked = Object.assign(session, { [OPEN_STREAMS]: 0 });
      this.sessions.add(tracked);
      session.once('close', () => this.sessions.delete(tracked));
      // A connection with no stream open for the keep-alive time is closed, as an idle HTTP/1.1
      // one is; one whose streams are waiting on an upstream is left alone. (Per connection, not
      // the server's timeout, which would also time the HTTP/1.1 sockets out mid-request.)
      session.setTimeout(idleTimeoutMs, () => {
        if (tracked[OPEN_STREAMS] === 0) session.close();
      });
      // A connection opened while draining gets its GOAWAY at once.
      if (this.draining) session.close();
    });
    server.on('stream', (stream: ServerHttp2Stream) => {
      const session = stream.session as TrackedSession | undefined;
      if (session === undefined) return;
      session[OPEN_STREAMS]++;
      stream.once('close', () => session[OPEN_STREAMS]--);
    });
  }

  /** Called for each request before it is handled (on the hot path: a mark on its socket, no listener). */
  requested(req: IncomingMessage, res: ServerResponse): void {
    (req.socket as TrackedSocket)[SERVED] = true;
    // A request that comes in while draining is served, on a connection that then closes.
    if (this.draining) res.shouldKeepAlive = false;
  }

  /**
   * Stops accepting and resolves once every connection is closed: at once for those with no request
   * in flight, after its response for the others, and by force at `timeoutMs` (their requests are
   * cancelled, and so are their upstream calls).
   */
  close(timeoutMs: number): Promise<DrainResult> {
    this.draining = true;
    let cut = 0;
    // HTTP/2: no new streams; each connection closes once its open streams are done.
    for (const session of this.sessions) session.close();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const sweep = (): void => {
      // An HTTP/2 server has this too, for its HTTP/1.1 connections (node:http's own, under allowHTTP1).
      (this.server as Server).closeIdleConnections();
      const now = Date.now();
      for (const socket of this.sockets) {
        if (!socket[SERVED]) socket.destroy();
        else if (socket.writableEnded && socket.writableLength === 0) {
          socket[ENDED_AT] ??= now;
          if (now - socket[ENDED_AT] >= LINGER_MS) socket.destroy();
        }
      }
    };
    sweep();
    const sweeper = setInterval(sweep, SWEEP_INTERVAL_MS);
    const deadline = setTimeout(() => {
      // What the sweeps left open is busy: idle and unused connections were closed by them.
      sweep();
      for (const socket of this.sockets) {
        if (socket.destroyed) continue;
        cut++;
        socket.destroy();
      }
      // With TLS, what is left is a handshake that never finished (no request on it).
      for (const socket of this.raw) socket.destroy();
    }, timeoutMs);
    return closed.then(() => {
      clearInterval(sweeper);
      clearTimeout(deadline);
      return { cut };
    });
  }
}
