/**
 * The configuration tools bound to the built-in vendors of the registry: what `polyverify`'s
 * `createProvider` and `providerFromEnv` use, and what the CLI uses besides (the config an
 * environment describes, the variables each vendor reads). Not an entry point.
 */
import { configTools, envOf, type ConfigForm, type OtherVendorConfig } from '../src/config.js';
import type { Lox24Config } from './lox24/config.js';
import type { MessagebirdConfig } from './messagebird/config.js';
import type { NotificoreConfig } from './notificore/config.js';
import type { TwilioConfig } from './twilio/config.js';
import { REGISTRY, VENDORS } from './registry.js';

/** A built-in provider's configuration (JSON-friendly: no functions), discriminated by `provider`. */
export type ProviderConfig = Lox24Config | NotificoreConfig | MessagebirdConfig | TwilioConfig;

/**
 * A configuration: one provider, several tried in order (an array: a `failover`), or several
 * as one (`{ failover: [...] }`, `{ route: { '+44': …, default: … } }`, each with an optional
 * `guard` and `name`), nested as deep as you like. JSON-friendly: the same config serves the
 * application, `POLYVERIFY_CONFIG` and the CLI, and they take each other's ids. A vendor of your
 * own is a config whose `provider` names a descriptor given in `runtime.vendors`.
 */
export type PolyverifyConfig = ConfigForm<ProviderConfig | OtherVendorConfig>;

/** `createProvider` and its kin over the built-in vendors. */
export const builtIn = /* @__PURE__ */ configTools<ProviderConfig>(VENDORS);

/** The environment variables each built-in vendor reads, and the common ones (docs/configuration.md). */
export const ENV = /* @__PURE__ */ envOf(VENDORS as readonly { name: keyof typeof REGISTRY; env: Readonly<Record<string, string>> }[]);
