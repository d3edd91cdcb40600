// rate-limiter-flexible's own modules, imported one by one: its root loads every limiter, one of
// which requires `node:cluster` (a Worker without nodejs_compat cannot load it). Typed as the root's.
declare module 'rate-limiter-flexible/lib/RateLimiterMemory.js' {
  import { RateLimiterMemory } from 'rate-limiter-flexible';
  export default RateLimiterMemory;
}
declare module 'rate-limiter-flexible/lib/RateLimiterRedis.js' {
  import { RateLimiterRedis } from 'rate-limiter-flexible';
  export default RateLimiterRedis;
}
