/**
 * The vendor-neutral core of polyverify: the `VerifyProvider` interface and its model,
 * errors, money, codes, listing across providers, failover and routing, and configuration
 * over a list of vendors. It names no vendor; `polyverify` (providers/index.ts) adds the
 * built-in ones.
 *
 * @module
 */
export type { Bounds, Range, CallOptions, Capabilities, ProviderOptions, BackoffOptions, VerifyProvider } from './provider.js';
export type {
  Channel,
  ChannelStep,
  CheckReason,
  CheckResult,
  DeliveryAttempt,
  DeliveryStatus,
  ListFilter,
  ListQuery,
  Page,
  PageQuery,
  Recipient,
  StartRequest,
  Verification,
  VerificationStatus,
} from './model.js';
export { VERSION } from './version.js';
export { logEvents, type LogEventsOptions, type LogLevel, type Logger } from './logger.js';
export { CostAccumulator, addMoney, divideMoney, sumCosts, type CostTotals, type Money } from './money.js';
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
  type Operation,
  type SentState,
  type VerifyErrorCode,
  type VerifyErrorInit,
} from './errors.js';
export type { VerifyEvent, RequestEvent, ResponseEvent, RetryEvent, ErrorEvent, WarningEvent, DecisionEvent, EventBase, EventError, EventFailure } from './events.js';
export {
  MemoryCodeStore,
  type AttemptOutcome,
  type AttemptResult,
  type CodeRecord,
  type CodeStore,
  type MemoryCodeStoreOptions,
  MemoryTriesStore,
  type TriesStore,
} from './codes/index.js';
export { maskPhone } from './redact.js';
export {
  listAcross,
  listAcrossPage,
  type AcrossIterable,
  type AcrossOptions,
  type AcrossPage,
  type SkippedProvider,
} from './listing/merge.js';
export { Summarizer, summarize, type Summary } from './listing/summary.js';
export {
  Scorer,
  createScorer,
  scorecard,
  type ChannelDelivery,
  type ScoreBucket,
  type ScoreFigures,
  type ScoreRow,
  type Scorecard,
  type ScorecardOptions,
  type TimeToVerify,
  type VolumePoint,
} from './listing/scorecard.js';
export {
  configTools,
  type CommonConfig,
  type ConfigTools,
  type EnvVars,
  type GuardedFailoverConfig,
  type NamedConfig,
  type OtherVendorConfig,
} from './config.js';
export type { RuntimeOptions } from './adapter/vendor.js';
export { failover, type FailoverOptions } from './failover.js';
export { guard, type CountryRule, type GuardConfig, type GuardOptions, type Limit, type Limits, type LimitStore, type Taken } from './guard/index.js';
export { memoryLimitStore, type MemoryLimitOptions } from './guard/limits.js';
export {
  MemorySeenStore,
  webhookEndpoint,
  type Claim,
  type SeenStore,
  type WebhookEndpoint,
  type WebhookEvent,
  type WebhookEventType,
  type WebhookOptions,
  type WebhookOutcome,
  type WebhookSpec,
} from './webhooks/index.js';
export { route, type RouteOptions, type RouteTable } from './route.js';
