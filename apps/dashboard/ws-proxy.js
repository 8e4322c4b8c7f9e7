/**
 * WebSocket pass-through from the dashboard's origin to the gateway's graphql-ws endpoint.
 *
 * The gateway checks the API token in graphql-ws's `connection_init` payload (connectionParams),
 * not in HTTP headers. So that the token never reaches the browser, the proxy adds it to the first
 * client message: it reads that one frame, sets `payload.authorization`, re-masks it, and from then
 * on splices the sockets untouched. Compression is not offered upstream, so frames stay plain.
 */
import http from 'node:http';
import https from 'node:https';
import { randomBytes } from 'node:crypto';

const NOT_FORWARDED = new Set(['host', 'authorization', 'cookie', 'sec-websocket-extensions']);
/** The first client message is graphql-ws's small connection_init; anything bigger is refused. */
const MAX_FIRST_FRAME_BYTES = 64 * 1024;

/**
 * Parses one complete client frame at the start of `buf`.
 * @param {Buffer} buf
 * @returns {{ fin: boolean, opcode: number, payload: Buffer, length: number } | null} null: incomplete
 */
function readMaskedFrame(buf) {
  if (buf.length < 2) return null;
  const fin = (buf[0] & 0x80) !== 0;
  const opcode = buf[0] & 0x0f;
  const masked = (buf[1] & 0x80) !== 0;
  let len = buf[1] & 0x7f;
  let offset = 2;
  if (len === 126) {
    if (buf.length < 4) return null;
    len = buf.readUInt16BE(2);
    offset = 4;
  } else if (len === 127) {
    if (buf.length < 10) return null;
    len = Number(buf.readBigUInt64BE(2));
    offset = 10;
  }
  if (!masked) throw new Error('client frame not masked');
  if (len > MAX_FIRST_FRAME_BYTES) throw new Error('first frame too large');
  if (buf.length < offset + 4 + len) return null;
  const key = buf.subarray(offset, offset + 4);
  const payload = Buffer.from(buf.subarray(offset + 4, offset + 4 + len));
  for (let i = 0; i < payload.length; i++) payload[i] ^= key[i & 3];
  return { fin, opcode, payload, length: offset + 4 + len };
}

/** @param {number} opcode @param {Buffer} payload */
function writeMaskedFrame(opcode, payload) {
  const len = payload.length;
  const head = len < 126 ? Buffer.alloc(2) : len < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  head[0] = 0x80 | opcode;
  if (len < 126) head[1] = 0x80 | len;
  else if (len < 65536) {
    head[1] = 0x80 | 126;
    head.writeUInt16BE(len, 2);
  } else {
    head[1] = 0x80 | 127;
    head.writeBigUInt64BE(BigInt(len), 2);
  }
  const key = randomBytes(4);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i] ^= key[i & 3];
  return Buffer.concat([head, key, body]);
}

/** @param {Buffer} payload @param {string} token */
function withToken(payload, token) {
  const msg = JSON.parse(payload.toString('utf8'));
  if (msg && typeof msg === 'object' && msg.type === 'connection_init') {
    msg.payload = { ...(msg.payload && typeof msg.payload === 'object' ? msg.payload : {}), authorization: `Bearer ${token}` };
  }
  return Buffer.from(JSON.stringify(msg), 'utf8');
}

/**
 * Sends client bytes upstream; with a token, holds them until the first frame is complete and
 * rewrites it.
 * @param {import('node:stream').Duplex} client @param {import('node:stream').Duplex} upstream
 * @param {Buffer} pending bytes the client already sent @param {string | null} token
 */
function forwardClient(client, upstream, pending, token) {
  if (!token) {
    if (pending.length) upstream.write(pending);
    client.pipe(upstream);
    return;
  }
  let buf = pending;
  const onData = (/** @type {Buffer} */ chunk) => {
    buf = Buffer.concat([buf, chunk]);
    tryFirst();
  };
  const tryFirst = () => {
    let frame;
    try {
      frame = readMaskedFrame(buf);
    } catch {
      client.destroy();
      upstream.destroy();
      return;
    }
    if (!frame) return;
    client.off('data', onData);
    let out = buf.subarray(0, frame.length);
    if (frame.fin && frame.opcode === 0x1) {
      try {
        out = writeMaskedFrame(0x1, withToken(frame.payload, token));
      } catch {
        // Not JSON: pass it on unchanged and let the gateway answer it.
      }
    }
    upstream.write(out);
    const rest = buf.subarray(frame.length);
    if (rest.length) upstream.write(rest);
    client.pipe(upstream);
  };
  client.on('data', onData);
  tryFirst();
}

/**
 * Passes a WebSocket handshake on to the gateway and then splices the two sockets together.
 * @param {http.IncomingMessage} req @param {import('node:stream').Duplex} socket @param {Buffer} head
 * @param {URL} target ws(s):// or http(s):// URL of the gateway's graphql-ws endpoint
 * @param {string | null} token
 */
export function proxyUpgrade(req, socket, head, target, token) {
  /** @type {Record<string, string | string[]>} */
  const headers = {};
  for (const [k, v] of Object.entries(req.headers)) if (!NOT_FORWARDED.has(k) && v !== undefined) headers[k] = v;
  headers.host = target.host;
  if (token) headers.authorization = `Bearer ${token}`;
  const secure = target.protocol === 'wss:' || target.protocol === 'https:';
  const upstream = (secure ? https : http).request({
    hostname: target.hostname,
    port: target.port || (secure ? 443 : 80),
    path: `${target.pathname}${target.search}`,
    method: 'GET',
    headers,
  });
  socket.on('error', () => upstream.destroy());
  upstream.on('error', () => socket.destroy());
  upstream.on('response', (res) => {
    // The gateway refused the upgrade: hand its status back and close.
    socket.end(`HTTP/1.1 ${res.statusCode} ${res.statusMessage}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    res.resume();
  });
  upstream.on('upgrade', (res, upSocket, upHead) => {
    const lines = [`HTTP/1.1 101 ${res.statusMessage || 'Switching Protocols'}`];
    for (let i = 0; i < res.rawHeaders.length; i += 2) lines.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (upHead.length) socket.write(upHead);
    upSocket.on('error', () => socket.destroy());
    socket.on('close', () => upSocket.destroy());
    upSocket.on('close', () => socket.destroy());
    upSocket.pipe(socket);
    forwardClient(socket, upSocket, head, token);
  });
  upstream.end();
}
