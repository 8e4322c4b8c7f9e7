/**
 * The `raw` load client: one TCP connection per simulated task manager, HTTP/1.1 keep-alive
 * written and read by hand — a request head prebuilt per task manager, the answer read by its
 * Content-Length. Like wrk, it spends as little CPU as a client can, so on a 2-core machine the
 * cores go to the endpoint and Postgres being measured. Strict about what it accepts: anything but
 * `200` with a Content-Length and a JSON body fails the request (and the connection is reopened).
 */
import net from 'node:net';

const HEAD_END = Buffer.from('\r\n\r\n');

export class RawHttpConnection {
  private socket: net.Socket | null = null;
  private buffer: Buffer = Buffer.alloc(0);
  private pending: { resolve: (body: unknown) => void; reject: (error: Error) => void; path: string } | null = null;

  constructor(private readonly host: string, private readonly port: number, private readonly token: string) {}

  /** POST `body` (already JSON) to `path`; one request at a time per connection. */
  post(path: string, json: string): Promise<unknown> {
    if (this.pending !== null) return Promise.reject(new Error('raw client: one request at a time per connection'));
    const socket = this.connect();
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject, path };
      socket.write(
        `POST ${path} HTTP/1.1\r\nhost: ${this.host}:${this.port}\r\ncontent-type: application/json\r\n` +
          `authorization: Bearer ${this.token}\r\ncontent-length: ${Buffer.byteLength(json)}\r\n\r\n${json}`,
      );
    });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = null;
  }

  private connect(): net.Socket {
    if (this.socket !== null && !this.socket.destroyed) return this.socket;
    const socket = net.connect({ host: this.host, port: this.port, noDelay: true });
    this.buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      this.parse();
    });
    const fail = (error: Error) => {
      if (this.socket === socket) this.socket = null;
      const pending = this.pending;
      this.pending = null;
      pending?.reject(error);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed')));
    this.socket = socket;
    return socket;
  }

  private parse(): void {
    const headEnd = this.buffer.indexOf(HEAD_END);
    if (headEnd < 0) return;
    const head = this.buffer.toString('latin1', 0, headEnd);
    const status = Number(head.slice(9, 12));
    const match = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    const pending = this.pending;
    if (match === null) {
      this.pending = null;
      this.close();
      pending?.reject(new Error(`${pending.path}: answer without content-length`));
      return;
    }
    const length = Number(match[1]);
    const bodyStart = headEnd + HEAD_END.length;
    if (this.buffer.length < bodyStart + length) return;
    const text = this.buffer.toString('utf8', bodyStart, bodyStart + length);
    this.buffer = this.buffer.subarray(bodyStart + length);
    this.pending = null;
    if (pending === null) return;
    if (status !== 200) return pending.reject(new Error(`${pending.path}: HTTP ${status}: ${text.slice(0, 200)}`));
    try {
      pending.resolve(JSON.parse(text));
    } catch {
      pending.reject(new Error(`${pending.path}: answer is not JSON`));
    }
  }
}
