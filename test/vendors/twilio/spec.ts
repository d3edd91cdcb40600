/** Twilio's OpenAPI description (test/fixtures/twilio) and its examples, the fixtures of the Twilio tests. */
import { fixture } from '../../helpers.js';

interface Described {
  readonly paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { examples?: Record<string, { value: unknown }> }> }>; requestBody?: { content: Record<string, { examples?: Record<string, { value: unknown }> }> } }>>;
}

/** The description itself. */
export const description = fixture<Described>('twilio/twilio_verify_v2.json');

/** A response example of an operation: `responseExample('/v2/Attempts', 'get', 200, 'listVerificationAttempts')`. */
export function responseExample<T = Record<string, unknown>>(path: string, method: string, status: number, name: string): T {
  const value = description.paths[path]?.[method]?.responses[String(status)]?.content?.['application/json']?.examples?.[name]?.value;
  if (value === undefined) throw new Error(`no example ${name} of ${method} ${path} ${status}`);
  return structuredClone(value) as T;
}

/** Every response example of an operation and status, by name. */
export function responseExamples(path: string, method: string, status: number): Record<string, Record<string, unknown>> {
  const examples = description.paths[path]?.[method]?.responses[String(status)]?.content?.['application/json']?.examples ?? {};
  return Object.fromEntries(Object.entries(examples).map(([name, example]) => [name, structuredClone(example.value) as Record<string, unknown>]));
}

export const PATHS = {
  verifications: '/v2/Services/{ServiceSid}/Verifications',
  verification: '/v2/Services/{ServiceSid}/Verifications/{Sid}',
  check: '/v2/Services/{ServiceSid}/VerificationCheck',
  attempts: '/v2/Attempts',
} as const;
