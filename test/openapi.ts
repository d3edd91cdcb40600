/**
 * Checks requests against Notificore's OpenAPI spec (test/fixtures/notificore/openapi.yaml,
 * a copy of shared/vendors/specs/notificore-2fa.openapi.yaml) with openapi-backend: path,
 * method, query parameters (unknown ones refused) and body schema, plus no body field the
 * schema does not name (the spec does not forbid extra fields itself).
 */
import { readFileSync } from 'node:fs';
import ajvFormats from 'ajv-formats';
import { OpenAPIBackend } from 'openapi-backend';
import { parse } from 'yaml';

// ajv-formats is CommonJS; under NodeNext typing its plugin function is the `default` property.
const addFormats = ((ajvFormats as unknown as { default?: unknown }).default ?? ajvFormats) as (ajv: object) => unknown;

type Schema = { $ref?: string; properties?: Record<string, unknown> };
const definition = parse(readFileSync(new URL('./fixtures/notificore/openapi.yaml', import.meta.url), 'utf8'));

const api = new OpenAPIBackend({
  definition,
  quick: false,
  validate: true,
  ajvOpts: { allErrors: true },
  customizeAjv: (ajv) => {
    addFormats(ajv);
    ajv.addFormat('string', true); // the spec's `format: string` on filter[ids]
    return ajv;
  },
});
const ready = api.init();

/** A request as a test saw it. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: unknown;
  readonly headers?: Record<string, unknown>;
}

function bodyProperties(method: string, path: string): string[] | undefined {
  const operation = api.matchOperation({ method, path, headers: {} });
  let schema = (operation?.requestBody as { content?: Record<string, { schema?: Schema }> } | undefined)?.content?.['application/json']?.schema;
  if (schema?.$ref) schema = definition.components.schemas[schema.$ref.split('/').pop()!] as Schema;
  return schema?.properties ? Object.keys(schema.properties) : undefined;
}

/** The problems of one request against the spec; empty when it conforms. */
export async function specProblems(request: SeenRequest): Promise<string[]> {
  await ready;
  const method = request.method.toLowerCase();
  if (!api.matchOperation({ method, path: request.path, headers: {} })) return [`no operation ${request.method} ${request.path} in the spec`];
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(request.query.keys())) {
    const values = request.query.getAll(key);
    query[key] = values.length > 1 || key === 'filter[ids]' ? values : values[0]!;
  }
  const result = api.validateRequest({ method, path: request.path, query, body: request.body, headers: { 'content-type': 'application/json', ...request.headers } as never });
  const problems = (result.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
  const allowed = bodyProperties(method, request.path);
  if (allowed && request.body && typeof request.body === 'object') {
    for (const key of Object.keys(request.body)) if (!allowed.includes(key)) problems.push(`/requestBody/${key} is not in the spec`);
  }
  return problems;
}

/** Throws when any of the requests does not conform. */
export async function expectConformingRequests(requests: readonly SeenRequest[]): Promise<void> {
  const failures: string[] = [];
  for (const request of requests) {
    const problems = await specProblems(request);
    if (problems.length) failures.push(`${request.method} ${request.path}?${request.query}: ${problems.join('; ')}`);
  }
  if (failures.length) throw new Error(`requests outside the Notificore OpenAPI spec:\n${failures.join('\n')}`);
}
