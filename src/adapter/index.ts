/**
 * polyverify/adapter: what a vendor adapter is built with, for the built-in adapters and for
 * yours — the provider shell, the paging kit, option parsing, the HTTP client with its retry
 * policy and error mapping, redaction, owned-code tools (hashing, generation, attempt rules),
 * money from vendor units, and the vendor descriptor for `createProvider`.
 *
 * @module polyverify/adapter
 */
export { defineProvider, type Prepared, type ProviderSpec, type StartInput, type StepOptions } from './define.js';
export { checkResult, type CheckOutcome } from './check.js';
export { paging, type Listing, type PageRequest, type PagingSpec, type VendorPage } from './paging.js';
export { setupVendor, type VendorHttp, type VendorSetup } from './options.js';
export type { EnvReader, VendorDescriptor } from './vendor.js';
export { HttpClient, errorForStatus, type HttpCall, type HttpClientConfig, type HttpFailure, type HttpResult, type StatusErrorDetails } from '../http/index.js';
export { Redactor } from '../redact.js';
export { CodeHasher, decideAttempt, generateCode } from '../codes/index.js';
export { fromMinorUnits, parseDecimal } from '../money.js';
export { invalid, parseInput, type ParseContext } from '../validate.js';
