import { z } from 'zod';
import { duration, KeyPolicySchema } from '../../config/schema.js';
import type { UsageQuery } from '../../store/usage-store.js';

/** `POST /admin/keys`. */
export const AddKeyBody = z.strictObject({
  label: z.string().min(1).max(200),
  policy: KeyPolicySchema.optional(),
  /** Lifetime: ms or `30d`. */
  expires_in: duration.optional(),
  /** Bring your own key text. */
  key: z.string().optional(),
  token_balance: z.number().int().min(0).optional(),
});

const nullable = <T extends z.ZodType>(schema: T) => schema.nullable().optional();

/** `PATCH /admin/keys/{id}`: a policy field set to null is removed; `expires_at: null` = never. */
export const UpdateKeyBody = z.strictObject({
  label: z.string().min(1).max(200).optional(),
  policy: z
    .strictObject({
      rpm: nullable(KeyPolicySchema.shape.rpm.unwrap()),
      tpm: nullable(KeyPolicySchema.shape.tpm.unwrap()),
      quota: nullable(KeyPolicySchema.shape.quota.unwrap()),
      models: nullable(KeyPolicySchema.shape.models.unwrap()),
    })
    .optional(),
  expires_at: z.number().int().positive().nullable().optional(),
});

/** `POST /admin/keys/{id}/add-tokens`. */
export const AddTokensBody = z.strictObject({ tokens: z.number().int() });

/** `POST /admin/usage/reset`: one key, or every key when `key_id` is absent. */
export const ResetBody = z.strictObject({ key_id: z.string().min(1).optional() });

/** Query strings of the usage routes: `key`, `since` / `until` (Unix ms), `group_by`. */
export function usageQueryFrom(query: Record<string, string | undefined>): UsageQuery {
  const time = (value: string | undefined) => {
    if (value === undefined || value === '') return undefined;
    const n = Number(value);
    return Number.isFinite(n) && n >= 0 ? n : undefined;
  };
  const since = time(query.since);
  const until = time(query.until);
  return {
    ...(query.key ? { keyId: query.key } : {}),
    ...(since === undefined ? {} : { since }),
    ...(until === undefined ? {} : { until }),
    ...(query.group_by === 'model' ? { groupBy: 'model' as const } : {}),
  };
}
