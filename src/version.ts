/**
 * The package's version, written in at build time (tsup and vitest define it from package.json).
 */
declare const __POLYVERIFY_VERSION__: string | undefined;

/** polyverify's version, e.g. `'0.2.0'`. */
export const VERSION: string = typeof __POLYVERIFY_VERSION__ === 'string' ? __POLYVERIFY_VERSION__ : '0.0.0-dev';

/** The `User-Agent` polyverify sends to vendors (their support teams ask for it): `polyverify/0.2.0 node/v20.19.0`. */
export const USER_AGENT = `polyverify/${VERSION} ${typeof process === 'object' && process.version ? `node/${process.version}` : 'js'}`;
