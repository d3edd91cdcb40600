/**
 * A simulator of "Acme Verify", a made-up fourth vendor: Bearer auth, vendor-owned codes,
 * `POST /v1/verifications`, `POST /v1/verifications/{id}/check`, `GET`, `DELETE` (cancel),
 * and a newest-first list with opaque `next` cursors.
 */
import { randomUUID } from 'node:crypto';
import { generateCode } from '../../src/codes/generate.js';
import { SimulatorBase } from '../../testing/index.js';
import type { SimRequest, SimResponse, SimServer } from '../../testing/server.js';
import { Inbox } from '../../testing/inbox.js';
import type { SeedInput } from '../../testing/base.js';

interface AcmeRecord {
  id: string;
  phone: string;
  state: 'pending' | 'approved' | 'denied' | 'expired' | 'canceled';
  created: number;
  expires: number;
  attempts_left: number;
  code: string;
  reference: string | null;
}

const KEY = 'acme-test-key-0123456789';

export class AcmeSimulator extends SimulatorBase {
  readonly inbox = new Inbox();
  readonly apiKey = KEY;
  readonly #records = new Map<string, AcmeRecord>();

  static start(options: { port?: number } = {}): Promise<AcmeSimulator> {
    return SimulatorBase.listen(options, (server: SimServer) => new AcmeSimulator(server));
  }

  get credentials() {
    return { apiKey: this.apiKey };
  }
  config() {
    return { provider: 'acme', apiKey: this.apiKey, baseUrl: this.url };
  }
  describe() {
    return [`Acme        ${this.url}   Bearer ${this.apiKey}`];
  }
  lastCode(recipientOrId: string): string | undefined {
    return this.inbox.last(recipientOrId)?.code;
  }
  setOutcomes(): void {}
  seed(input: SeedInput): string {
    const id = randomUUID();
    const created = input.createdAt.getTime();
    this.#records.set(id, { id, phone: input.to, state: input.status === 'failed' ? 'denied' : 'approved', created, expires: created + 300_000, attempts_left: 3, code: '000000', reference: input.reference ?? null });
    return id;
  }

  protected route(request: SimRequest): SimResponse {
    if (request.headers['authorization'] !== `Bearer ${KEY}`) return { status: 401, body: { error: 'unauthorized' } };
    const now = this.now();
    const [, v1, collection, id, action] = request.path.split('/');
    if (v1 !== 'v1' || collection !== 'verifications') return { status: 404, body: { error: 'not found' } };
    if (id === undefined) return request.method === 'POST' ? this.#create(request, now) : this.#list(request);
    const record = this.#records.get(id);
    if (!record) return { status: 404, body: { error: 'not found' } };
    if (record.state === 'pending' && now >= record.expires) record.state = 'expired';
    if (request.method === 'GET' && action === undefined) return { status: 200, body: view(record) };
    if (request.method === 'DELETE' && action === undefined) {
      if (record.state === 'pending') record.state = 'canceled';
      return { status: 200, body: view(record) };
    }
    if (request.method === 'POST' && action === 'check') return this.#check(record, request);
    return { status: 404, body: { error: 'not found' } };
  }

  #create(request: SimRequest, now: number): SimResponse {
    const body = request.body as { phone?: unknown; ttl?: unknown; attempts?: unknown; digits?: unknown; reference?: unknown };
    if (typeof body?.phone !== 'string' || !/^\+\d{7,15}$/.test(body.phone)) return { status: 422, body: { error: 'invalid phone' } };
    const record: AcmeRecord = {
      id: randomUUID(),
      phone: body.phone,
      state: 'pending',
      created: now,
      expires: now + Number(body.ttl ?? 300) * 1000,
      attempts_left: Number(body.attempts ?? 3),
      code: generateCode(Number(body.digits ?? 6)),
      reference: typeof body.reference === 'string' ? body.reference : null,
    };
    this.#records.set(record.id, record);
    this.inbox.add({ to: record.phone, channel: 'sms', code: record.code, text: `Acme code ${record.code}`, at: new Date(now), verificationId: record.id });
    return { status: 201, body: view(record) };
  }

  #check(record: AcmeRecord, request: SimRequest): SimResponse {
    if (record.state !== 'pending') return { status: 200, body: { valid: false, reason: record.state, verification: view(record) } };
    if ((request.body as { code?: unknown })?.code === record.code) {
      record.state = 'approved';
      return { status: 200, body: { valid: true, verification: view(record) } };
    }
    record.attempts_left--;
    if (record.attempts_left <= 0) record.state = 'denied';
    return { status: 200, body: { valid: false, reason: 'wrong', verification: view(record) } };
  }

  #list(request: SimRequest): SimResponse {
    const limit = Number(request.query.get('limit') ?? 20);
    const offset = Number(request.query.get('cursor') ?? 0);
    const all = [...this.#records.values()].sort((a, b) => b.created - a.created || (a.id < b.id ? -1 : 1));
    const data = all.slice(offset, offset + limit).map(view);
    return { status: 200, body: { data, next: offset + limit < all.length ? String(offset + limit) : null } };
  }
}

function view(record: AcmeRecord) {
  const { code: _code, ...rest } = record;
  return rest;
}
