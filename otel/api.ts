/**
 * `@opentelemetry/api`, an optional peer dependency: loaded here once, so that importing
 * `polyverify/otel` without it installed fails with a sentence that says what to do, not with a
 * resolver's message about a package the user never named.
 */

async function load(): Promise<typeof import('@opentelemetry/api')> {
  try {
    return await import('@opentelemetry/api');
  } catch (error) {
    throw new Error('polyverify/otel needs the @opentelemetry/api package (an optional peer dependency of polyverify): npm install @opentelemetry/api', { cause: error });
  }
}

/** The API, as the application's copy of it (its global tracer and meter providers). */
export const api = await load();
