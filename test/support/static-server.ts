import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';

// A tiny static server on 127.0.0.1 for the browser tests: what any static host does, with or without the headers
// that make a page cross-origin isolated (so that Web Workers may share its wasm memory: threads).

/** The headers that make a page cross-origin isolated. */
export const ISOLATION_HEADERS = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

/** A site held in memory: its files by URL path (a folder's page at `…/index.html`). */
export type Site = ReadonlyMap<string, string | Uint8Array>;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

export interface StaticServer {
  /** the site's root, ending in '/' */
  readonly url: string;
  close(): Promise<void>;
}

/** The body at URL path `path` of `root` (a folder, or a site in memory); undefined where there is none, null where the path leaves the folder. */
async function body(root: string | Site, path: string): Promise<string | Uint8Array | undefined | null> {
  const file = path.endsWith('/') ? `${path}index.html` : path;
  if (typeof root !== 'string') return root.get(file);
  const full = normalize(join(root, file));
  if (!full.startsWith(normalize(root) + sep)) return null;
  return readFile(full).catch(() => undefined);
}

/** Serves `root` (a folder, or a site in memory) on a free port of 127.0.0.1, cross-origin isolated if `isolated`. */
export async function serve(root: string | Site, { isolated }: { isolated: boolean }): Promise<StaticServer> {
  const headers = isolated ? ISOLATION_HEADERS : {};
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    const found = await body(root, path);
    if (found === null) res.writeHead(403, headers).end();
    else if (found === undefined) res.writeHead(404, headers).end('not found');
    else res.writeHead(200, { 'Content-Type': TYPES[extname(path.endsWith('/') ? 'index.html' : path)] ?? 'application/octet-stream', ...headers }).end(found);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
