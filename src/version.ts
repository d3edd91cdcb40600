/**
 * The package's version, written in at build time (tsup and vitest define it from package.json).
 */
declare const __POLYVERIFY_VERSION__: string;

/** polyverify's version, e.g. `'0.2.0'`. */
export const VERSION: string = __POLYVERIFY_VERSION__;

/** The runtime polyverify runs on, as a User-Agent product: `node/v20.19.0`, `bun/1.4.4`, `deno/2.9.6`, `workerd`, `edge-runtime`, else `js`. */
export function runtimeProduct(scope: Record<string, unknown> = globalThis as unknown as Record<string, unknown>): string {
  // Bun and Deno imitate `process.version`: ask for their own first.
  const bun = scope['Bun'] as { version?: string } | undefined;
  if (typeof bun?.version === 'string') return `bun/${bun.version}`;
  const deno = scope['Deno'] as { version?: { deno?: string } } | undefined;
  if (typeof deno?.version?.deno === 'string') return `deno/${deno.version.deno}`;
  if (typeof scope['EdgeRuntime'] === 'string') return 'edge-runtime';
  const navigator = scope['navigator'] as { userAgent?: string } | undefined;
  if (navigator?.userAgent === 'Cloudflare-Workers') return 'workerd';
  const process = scope['process'] as { versions?: { node?: string } } | undefined;
  if (typeof process?.versions?.node === 'string') return `node/v${process.versions.node}`;
  return 'js';
}

/** The `User-Agent` polyverify sends to vendors (their support teams ask for it): `polyverify/0.2.0 node/v20.19.0` (or `bun/…`, `deno/…`, `workerd`, `edge-runtime`). Each HTTP client asks once. */
export function userAgent(): string {
  return `polyverify/${VERSION} ${runtimeProduct()}`;
}
