import { type KeyPolicy, KeyPolicySchema } from '../../config/schema.js';
import { InvalidRequestError, NodexError } from '../../core/errors.js';
import { generateKey, hashKey, validateByok } from '../../store/api-key-text.js';
import type { KeyRecord, KeyStore, NewKeyRecord } from '../../store/key-store.js';
import type { AddKeyInput, IssuedKey, KeysApi, KeyView, UpdateKeyInput } from './admin-api.js';

/** How many fresh ids to try when a generated one is taken (about 62 bits each: never, in practice). */
const ID_ATTEMPTS = 3;
const LABEL_MAX = 200;

/**
 * What applies to a key: `keys.default_policy`, overlaid field by field by the key's own policy.
 *
 * @example
 * effectivePolicy({ rpm: 60, tpm: 10_000 }, { rpm: 5 }); // { rpm: 5, tpm: 10000 }
 */
export function effectivePolicy(defaults: KeyPolicy, own: KeyPolicy): KeyPolicy {
  return { ...defaults, ...own };
}

/**
 * Whether a key works at `now`: revocation wins over expiry.
 *
 * @example
 * keyStatus({ ...record, expires_at: 1000 }, 2000); // 'expired'
 */
export function keyStatus(record: KeyRecord, now: number): KeyView['status'] {
  if (record.revoked_at !== undefined) return 'revoked';
  if (record.expires_at !== undefined && record.expires_at <= now) return 'expired';
  return 'active';
}

function checkedPolicy(policy: unknown): KeyPolicy {
  const parsed = KeyPolicySchema.safeParse(policy);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = ['policy', ...(issue?.path ?? [])].join('.');
  throw new InvalidRequestError(`${path}: ${issue?.message ?? 'invalid'}`, { param: path });
}

function checkedLabel(label: string): string {
  // Control characters would break tables and could drive a terminal (escape sequences).
  if (label.trim() === '' || label.length > LABEL_MAX || /\p{Cc}/u.test(label))
    throw new InvalidRequestError(`label must be 1 to ${LABEL_MAX} characters, without control characters`, {
      param: 'label',
    });
  return label;
}

function checkedWhole(value: number, what: string, min = Number.MIN_SAFE_INTEGER): number {
  if (!Number.isSafeInteger(value) || value < min)
    throw new InvalidRequestError(
      `${what} must be a whole number${min > 0 ? ' above 0' : ''}, got ${value}`,
      {
        param: what,
      },
    );
  return value;
}

function notFound(id: string): NodexError {
  return new NodexError('not_found', `no key with id ${id}`);
}

/**
 * Key management over a KeyStore: what the admin socket serves inside the gateway, and what the
 * CLI runs on the database directly. Generated keys are `nk-<id>-<secret>`; a bring-your-own key
 * gets a generated id too. The key text is returned once (add, rotate) and only its hash is kept.
 *
 * @example
 * const api = new LocalKeysApi(new SqliteKeyStore(db), config.keys.default_policy);
 * const { key, record } = await api.add({ label: 'ci', policy: { rpm: 30 } });
 */
export class LocalKeysApi implements KeysApi {
  constructor(
    private readonly store: KeyStore,
    private readonly defaultPolicy: KeyPolicy,
    private readonly now: () => number = Date.now,
  ) {}

  /** The admin view of a record: no hash, its status now, and its effective policy. */
  view(record: KeyRecord): KeyView {
    const { hash: _hash, ...rest } = record;
    return {
      ...rest,
      status: keyStatus(record, this.now()),
      effective_policy: effectivePolicy(this.defaultPolicy, record.policy),
    };
  }

  async add(input: AddKeyInput): Promise<IssuedKey> {
    const now = this.now();
    const base = {
      label: checkedLabel(input.label),
      created_at: now,
      policy: checkedPolicy(input.policy ?? {}),
      ...(input.expires_in === undefined
        ? {}
        : { expires_at: now + checkedWhole(input.expires_in, 'expires_in', 1) }),
      ...(input.token_balance === undefined
        ? {}
        : { token_balance: checkedWhole(input.token_balance, 'token_balance', 0) }),
    };
    if (input.key !== undefined) {
      const key = validateByok(input.key);
      if (await this.store.findByHash(hashKey(key)))
        throw new NodexError('conflict', 'this key text is already in use: choose another');
      return this.insert(base, key);
    }
    return this.insert(base);
  }

  /** Inserts under a fresh generated id, with a generated key or the caller's own text. */
  private async insert(base: Omit<NewKeyRecord, 'id' | 'hash' | 'byok'>, own?: string): Promise<IssuedKey> {
    for (let attempt = 1; ; attempt++) {
      const generated = generateKey();
      const key = own ?? generated.key;
      try {
        const record = await this.store.insert({
          ...base,
          id: generated.id,
          hash: hashKey(key),
          byok: own !== undefined,
        });
        return { key, record: this.view(record) };
      } catch (error) {
        // Only an id clash is worth another try (about 62 bits each: never, in practice).
        const conflict = NodexError.isInstance(error) && error.code === 'conflict';
        if (!conflict || attempt >= ID_ATTEMPTS || !(await this.store.get(generated.id))) throw error;
      }
    }
  }

  async list(options: { readonly includeRevoked?: boolean } = {}): Promise<KeyView[]> {
    return (await this.store.list(options)).map((record) => this.view(record));
  }

  async get(id: string): Promise<KeyView> {
    return this.view(await this.record(id));
  }

  async update(id: string, input: UpdateKeyInput): Promise<KeyView> {
    const record = await this.record(id);
    let policy: KeyPolicy | undefined;
    if (input.policy !== undefined) {
      const merged: Record<string, unknown> = { ...record.policy };
      for (const [field, value] of Object.entries(input.policy)) {
        if (value === null) delete merged[field];
        else if (value !== undefined) merged[field] = value;
      }
      policy = checkedPolicy(merged);
    }
    if (input.expires_at !== undefined && input.expires_at !== null)
      checkedWhole(input.expires_at, 'expires_at', 1);
    const updated = await this.store.update(id, {
      ...(input.label === undefined ? {} : { label: checkedLabel(input.label) }),
      ...(policy === undefined ? {} : { policy }),
      ...(input.expires_at === undefined ? {} : { expires_at: input.expires_at }),
    });
    if (!updated) throw notFound(id);
    return this.view(updated);
  }

  async revoke(id: string): Promise<KeyView> {
    const record = await this.record(id);
    if (record.revoked_at !== undefined) return this.view(record);
    const updated = await this.store.update(id, { revoked_at: this.now() });
    if (!updated) throw notFound(id);
    return this.view(updated);
  }

  async rotate(id: string): Promise<IssuedKey> {
    const record = await this.record(id);
    if (record.revoked_at !== undefined)
      throw new InvalidRequestError(`key ${id} is revoked and cannot be rotated: add a new key instead`);
    // Same id, new secret: usage history stays with the id. A bring-your-own key becomes a
    // generated one (its id was generated already), since nodex cannot choose the caller's text.
    const { key } = generateKey(id);
    const updated = await this.store.update(id, { hash: hashKey(key), rotated_at: this.now(), byok: false });
    if (!updated) throw notFound(id);
    return { key, record: this.view(updated) };
  }

  async addTokens(id: string, tokens: number): Promise<KeyView> {
    const updated = await this.store.addTokens(id, checkedWhole(tokens, 'tokens'));
    if (!updated) throw notFound(id);
    return this.view(updated);
  }

  private async record(id: string): Promise<KeyRecord> {
    const record = await this.store.get(id);
    if (!record) throw notFound(id);
    return record;
  }
}
