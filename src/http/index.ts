/**
 * The HTTP layer: the client (`client.ts`), retry timing (`retry.ts`) and what a transport
 * failure says about the recipient (`failures.ts`). The status → error map is `errorForStatus`
 * in errors.ts.
 */
export { DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT_MS, HttpClient, type HttpCall, type HttpClientConfig, type HttpResult } from './client.js';
export { DEFAULT_RETRIES, parseRetryAfter } from './retry.js';
export { errorForStatus, type HttpFailure, type StatusErrorDetails } from '../errors.js';
