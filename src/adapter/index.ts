/**
 * polyverify/adapter: what a vendor adapter is built with, for the built-in adapters and for
 * yours — the provider shell and its setup from the vendor's HTTP facts, the paging kit's
 * contract, the status → error map, owned codes (generated, hashed, stored and checked for a
 * vendor that only transports them), money from vendor units, and the vendor descriptor for
 * `createProvider`.
 *
 * @module polyverify/adapter
 */
export { defineProvider, type Prepared, type ProviderSpec, type StartInput, type StepOptions } from './define.js';
export type { CheckOutcome } from './check.js';
export type { PageRequest, PagingSpec, VendorPage } from './paging.js';
export { setupVendor, type VendorHttp } from './options.js';
export type { VendorDescriptor } from './vendor.js';
export { errorForStatus, type HttpCall, type HttpFailure, type HttpResult } from '../http/index.js';
export { OwnedCodes } from '../codes/owned-codes.js';
export { fromMinorUnits, parseDecimal } from '../money.js';
export { invalid } from '../validate.js';
