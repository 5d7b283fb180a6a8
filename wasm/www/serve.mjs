// A tiny static file server for the booth demo (no dependencies).
//
//     node wasm/www/serve.mjs [port]     # then open http://127.0.0.1:8080/www/
//
// Serves the wasm/ directory (the page in www/, the package in pkg/) on 127.0.0.1 only.
// The browser test imports `serve` and uses a free port.

import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".ts": "text/plain; charset=utf-8",
};

const defaultRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Starts serving `root` on 127.0.0.1:`port` (0: any free port); resolves to the server. */
export function serve(port = 0, root = defaultRoot) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    let rel = decodeURIComponent(url.pathname);
    if (rel === "/") {
      res.writeHead(302, { location: "/www/" });
      res.end();
      return;
    }
    if (rel.endsWith("/")) rel += "index.html";
    const file = path.resolve(root, "." + rel);
    if (!file.startsWith(root + path.sep)) {
      res.writeHead(403).end("forbidden");
      return;
    }
    fs.readFile(file, (err, data) => {
      if (err) {
        res.writeHead(404, { "content-type": "text/plain" }).end(`not found: ${rel}`);
        return;
      }
      res.writeHead(200, {
        "content-type": TYPES[path.extname(file)] ?? "application/octet-stream",
        "cache-control": "no-store",
        // The booth runs no third-party code: a strict policy documents that.
        "content-security-policy":
          "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:",
        "x-content-type-options": "nosniff",
      });
      res.end(data);
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = Number(process.argv[2] ?? process.env.PORT ?? 8080);
  const server = await serve(port);
  const { port: p } = server.address();
  console.log(`booth demo: http://127.0.0.1:${p}/www/  (serving ${defaultRoot}; Ctrl-C stops)`);
}
