/**
 * The vendor-neutral core of what an application uses: the `VerifyProvider` interface and its
 * model, the errors, failover, routing, the guard, listing across providers, summaries and the
 * scorecard, the memory stores and the logger bridge. It names no vendor; `polyverify`
 * (providers/index.ts) adds the built-in ones and `createProvider`. Types reachable from these
 * (an event's members, a store's records) are documented with them and not named again.
 *
 * @module
 */
export type { CallOptions, Capabilities, ProviderOptions, VerifyProvider } from './provider.js';
export type { Channel, ChannelStep, CheckReason, CheckResult, ListQuery, StartRequest, Verification, VerificationStatus } from './model.js';
export { logEvents, type Logger } from './logger.js';
export { sumCosts, type Money } from './money.js';
export {
  AbortedError,
  AuthenticationError,
  ConnectionError,
  InsufficientFundsError,
  InvalidResponseError,
  NotFoundError,
  PermissionError,
  ProviderUnavailableError,
  RateLimitError,
  RejectedError,
  TimeoutError,
  UnsupportedError,
  StoreUnavailableError,
  ValidationError,
  VerifyError,
  WebhookBodyError,
  isVerifyError,
  type FieldIssue,
} from './errors.js';
export type { VerifyEvent } from './events.js';
export { MemoryCodeStore, type CodeStore, type TriesStore } from './codes/index.js';
export { listAcross, listAcrossPage } from './listing/merge.js';
export { summarize } from './listing/summary.js';
export { scorecard, type Scorecard } from './listing/scorecard.js';
export { scorecardHtml } from './listing/report/html.js';
export type { RuntimeOptions } from './adapter/vendor.js';
export { failover } from './failover.js';
export { adaptive } from './routing/adaptive.js';
export { guard, type GuardOptions, type LimitStore } from './guard/index.js';
export { testNumbers } from './test-numbers.js';
export { webhookEndpoint, type SeenStore, type WebhookEvent, type WebhookOptions } from './webhooks/index.js';
export { route } from './route.js';
