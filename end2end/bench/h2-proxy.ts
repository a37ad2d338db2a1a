// A TLS proxy speaking HTTP/2 to the browser and HTTP/1.1 to the server: what a
// deployment puts in front of Stormwatch (Google's sign-in wants an https callback, so
// every real one has a TLS proxy, and Caddy, nginx and the cloud load balancers all speak
// HTTP/2 to browsers). The first-load bench loads the pages through it as well, so that
// it prints both: requests on one connection, against six connections of HTTP/1.1.
// Node's own `http2` and a throw-away certificate from the openssl CLI; nothing to install.

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Headers HTTP/2 forbids (RFC 9113 §8.2.2): they describe the HTTP/1.1 connection. */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"]);

export type H2Proxy = { url: string; close: () => Promise<void> };

/** Starts the proxy on 127.0.0.1 (a free port) in front of `upstream` (an http:// origin). */
export async function startH2Proxy(upstream: string): Promise<H2Proxy> {
  const dir = mkdtempSync(join(tmpdir(), "stormwatch-h2-"));
  const key = join(dir, "key.pem");
  const cert = join(dir, "cert.pem");
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
    "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
    "-addext", "subjectAltName=IP:127.0.0.1",
  ], { stdio: "ignore" });
  const target = new URL(upstream);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const server = http2.createSecureServer({ key: readFileSync(key), cert: readFileSync(cert) });
  rmSync(dir, { recursive: true, force: true });

  server.on("stream", (stream, headers) => {
    const forwarded: http.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(headers)) {
      if (!name.startsWith(":") && value !== undefined) forwarded[name] = value;
    }
    // The server sees itself addressed as it is configured (PUBLIC_URL), as behind a
    // real proxy whose PUBLIC_URL is the https address.
    forwarded.host = target.host;
    if (forwarded.origin) forwarded.origin = target.origin;
    const request = http.request({
      agent,
      host: target.hostname,
      port: target.port,
      method: headers[":method"],
      path: headers[":path"],
      headers: forwarded,
    }, (response) => {
      const back: http2.OutgoingHttpHeaders = { ":status": response.statusCode ?? 502 };
      for (const [name, value] of Object.entries(response.headers)) {
        if (!HOP_BY_HOP.has(name) && value !== undefined) back[name] = value;
      }
      if (stream.destroyed) return response.destroy();
      stream.respond(back);
      response.pipe(stream);
      stream.on("close", () => response.destroy());
    });
    request.on("error", () => {
      if (!stream.destroyed && !stream.headersSent) stream.respond({ ":status": 502 });
      stream.end();
    });
    stream.pipe(request);
  });
  server.on("sessionError", () => {});

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.close(() => resolve());
        // Open sessions (the pages' live streams) would hold `close` forever.
        setTimeout(resolve, 1000);
      }),
  };
}
