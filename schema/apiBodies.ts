/**
 * Request and response bodies of the accounts API (auth/*, users/*), the source for the
 * OpenAPI document. Request objects are `.strict()`: unknown fields are refused. Emails are
 * compared and stored lowercased by the server.
 */
import { z } from 'zod';
import { Username } from './names.ts';

export const TokenScopeSchema = z.enum(['publish-new', 'publish-update', 'yank', 'change-owners']);

/** `raven-*`, `*-ui`, `exact-name`: [a-z0-9-] with `*` wildcards. */
export const PackagePattern = z.string().regex(/^[a-z0-9*-]{1,64}$/, 'a package name or glob such as raven-*');

export const Email = z
  .string()
  .max(254)
  .regex(/^[^\s@<>()[\],;:"\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/, 'an email address');

/** 8–128 characters; also capped at 512 UTF-8 bytes before anything is hashed. */
export const Password = z
  .string()
  .min(8, 'at least 8 characters')
  .max(128, 'at most 128 characters')
  .refine((p) => new TextEncoder().encode(p).length <= 512, 'at most 512 bytes');

const Timestamp = z.string().datetime({ offset: true });

export const RegisterBody = z.object({ username: Username, email: Email, password: Password }).strict();

/** Log in by email or by username (exactly one). */
export const LoginBody = z
  .object({ email: z.string().max(254).optional(), username: z.string().max(64).optional(), password: z.string().max(1024) })
  .strict()
  .refine((b) => (b.email === undefined) !== (b.username === undefined), { message: 'give exactly one of email or username', path: ['email'] });

export const RefreshBody = z.object({ refresh_token: z.string().max(256) }).strict();

export const CreateTokenBody = z
  .object({
    name: z.string().trim().min(1).max(64),
    scopes: z.array(TokenScopeSchema).min(1).max(4),
    packages: z.array(PackagePattern).max(32).optional(),
    expires_at: Timestamp.optional(),
  })
  .strict();

export const UserSummary = z.object({ user_id: z.string(), username: z.string(), email: z.string() });

export const SessionResponse = z.object({
  token: z.string(),
  expires_at: Timestamp,
  refresh_token: z.string(),
  refresh_expires_at: Timestamp,
  user: UserSummary,
});

export const RegisterResponse = z.object({
  user_id: z.string(),
  username: z.string(),
  email: z.string(),
  created_at: Timestamp,
  token: z.string(),
  expires_at: Timestamp,
  refresh_token: z.string(),
  refresh_expires_at: Timestamp,
});

export const PublicProfile = z.object({
  username: z.string(),
  created_at: Timestamp,
  packages: z.array(z.string()),
});

export const MeResponse = z.object({
  user_id: z.string(),
  username: z.string(),
  email: z.string(),
  created_at: Timestamp,
  packages: z.array(z.string()),
});

/** A token as listed: never its secret. */
export const TokenInfo = z.object({
  token_id: z.string(),
  name: z.string(),
  scopes: z.array(TokenScopeSchema),
  packages: z.array(z.string()),
  created_at: Timestamp,
  expires_at: Timestamp.nullable(),
  last_used_at: Timestamp.nullable(),
});

export const TokenList = z.object({ tokens: z.array(TokenInfo) });

/** The one response that carries the secret. */
export const CreateTokenResponse = TokenInfo.extend({ token: z.string() });

export type RegisterBody = z.infer<typeof RegisterBody>;
export type LoginBody = z.infer<typeof LoginBody>;
export type RefreshBody = z.infer<typeof RefreshBody>;
export type CreateTokenBody = z.infer<typeof CreateTokenBody>;
export type SessionResponse = z.infer<typeof SessionResponse>;
export type RegisterResponse = z.infer<typeof RegisterResponse>;
export type PublicProfile = z.infer<typeof PublicProfile>;
export type MeResponse = z.infer<typeof MeResponse>;
export type TokenInfo = z.infer<typeof TokenInfo>;
export type TokenList = z.infer<typeof TokenList>;
export type CreateTokenResponse = z.infer<typeof CreateTokenResponse>;
