import type { FieldError, FieldErrors as FormErrors, Resolver } from 'react-hook-form';
import {
  ACCESS_TOKEN_TTL,
  clientSettingsSchema,
  DEFAULT_CLIENT_GRANT_TYPES,
  DEFAULT_CLIENT_SCOPES,
  REFRESH_TOKEN_IDLE_TTL,
  REFRESH_TOKEN_MAX_TTL,
  type ClientSettingsInput,
} from '@/lib/oauth/clients/settings-schema';
import type { ClientType, OAuthClientRecord, TokenEndpointAuthMethod } from '@/lib/oauth/clients/types';
import type { SigningAlg } from '@/lib/oauth/keys/algorithms';
import { fieldErrorsOf, type FieldErrors } from '@/lib/validation/account';

/**
 * The client settings form's values and their mapping to the settings every part of Optare
 * validates with `clientSettingsSchema` (lib/oauth/clients/settings-schema.ts): lists are typed
 * one per line, the JWKS as JSON text. The resolver converts, then validates with that schema, so
 * the browser shows exactly the messages the server would send.
 */
export interface ClientFormValues {
  name: string;
  type: ClientType;
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  /** One URI per line. */
  redirectUris: string;
  postLogoutRedirectUris: string;
  corsOrigins: string;
  resources: string;
  grantTypes: string[];
  scopes: string[];
  accessTokenTtl: number;
  refreshTokenIdleTtl: number;
  refreshTokenMaxTtl: number;
  requirePkce: boolean;
  firstParty: boolean;
  /** A JWK Set as JSON text; used only with private_key_jwt. */
  jwks: string;
  /** '': not chosen, the server's default (OPTARE_DEFAULT_SIGNING_ALG). */
  idTokenSignedResponseAlg: SigningAlg | '';
  accessTokenSignedResponseAlg: SigningAlg | '';
}

/** The form's fields, in the order their errors are focused. */
export const CLIENT_FORM_FIELDS = [
  'name',
  'type',
  'tokenEndpointAuthMethod',
  'redirectUris',
  'postLogoutRedirectUris',
  'corsOrigins',
  'resources',
  'grantTypes',
  'scopes',
  'accessTokenTtl',
  'refreshTokenIdleTtl',
  'refreshTokenMaxTtl',
  'requirePkce',
  'firstParty',
  'jwks',
  'idTokenSignedResponseAlg',
  'accessTokenSignedResponseAlg',
] as const satisfies readonly (keyof ClientFormValues)[];

export const NEW_CLIENT_VALUES: ClientFormValues = {
  name: '',
  type: 'confidential',
  tokenEndpointAuthMethod: 'client_secret_basic',
  redirectUris: '',
  postLogoutRedirectUris: '',
  corsOrigins: '',
  resources: '',
  grantTypes: [...DEFAULT_CLIENT_GRANT_TYPES],
  scopes: [...DEFAULT_CLIENT_SCOPES],
  accessTokenTtl: ACCESS_TOKEN_TTL.default,
  refreshTokenIdleTtl: REFRESH_TOKEN_IDLE_TTL.default,
  refreshTokenMaxTtl: REFRESH_TOKEN_MAX_TTL.default,
  requirePkce: true,
  firstParty: false,
  jwks: '',
  idTokenSignedResponseAlg: '',
  accessTokenSignedResponseAlg: '',
};

/** A registered client's settings, as the edit form starts with them. */
export type ClientSettingsView = Omit<OAuthClientRecord, 'id' | 'enabled'>;

export function formValuesOf(client: ClientSettingsView): ClientFormValues {
  return {
    name: client.name,
    type: client.type,
    tokenEndpointAuthMethod: client.tokenEndpointAuthMethod as TokenEndpointAuthMethod,
    redirectUris: client.redirectUris.join('\n'),
    postLogoutRedirectUris: client.postLogoutRedirectUris.join('\n'),
    corsOrigins: client.corsOrigins.join('\n'),
    resources: client.resources.join('\n'),
    grantTypes: [...client.grantTypes],
    scopes: [...client.scopes],
    accessTokenTtl: client.accessTokenTtl,
    refreshTokenIdleTtl: client.refreshTokenIdleTtl,
    refreshTokenMaxTtl: client.refreshTokenMaxTtl,
    requirePkce: client.requirePkce,
    firstParty: client.firstParty,
    jwks: client.jwks ? JSON.stringify(client.jwks, null, 2) : '',
    idTokenSignedResponseAlg: client.idTokenSignedResponseAlg ?? '',
    accessTokenSignedResponseAlg: client.accessTokenSignedResponseAlg ?? '',
  };
}

/** The non-empty lines of a list field, trimmed. */
export function lines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

/** What the form sends: the settings as clientSettingsSchema takes them (and the server checks again). */
export function settingsOf(values: ClientFormValues): { input: ClientSettingsInput; errors: FieldErrors } {
  const errors: FieldErrors = {};
  let jwks: unknown = null;
  if (values.tokenEndpointAuthMethod === 'private_key_jwt' && values.jwks.trim()) {
    try {
      jwks = JSON.parse(values.jwks);
    } catch {
      errors.jwks = ['The JWKS is not valid JSON: paste a JSON Web Key Set, {"keys": [ … ]}.'];
    }
  }
  const input: ClientSettingsInput = {
    name: values.name,
    type: values.type,
    tokenEndpointAuthMethod: values.tokenEndpointAuthMethod,
    redirectUris: lines(values.redirectUris),
    postLogoutRedirectUris: lines(values.postLogoutRedirectUris),
    corsOrigins: lines(values.corsOrigins),
    resources: lines(values.resources),
    grantTypes: Array.isArray(values.grantTypes) ? values.grantTypes : [],
    scopes: Array.isArray(values.scopes) ? values.scopes : [],
    accessTokenTtl: values.accessTokenTtl,
    refreshTokenIdleTtl: values.refreshTokenIdleTtl,
    refreshTokenMaxTtl: values.refreshTokenMaxTtl,
    requirePkce: values.requirePkce,
    firstParty: values.firstParty,
    jwks: jwks as ClientSettingsInput['jwks'],
    // The empty choice is "the server's default": null in the settings.
    idTokenSignedResponseAlg: values.idTokenSignedResponseAlg || null,
    accessTokenSignedResponseAlg: values.accessTokenSignedResponseAlg || null,
  };
  return { input, errors };
}

/** Field errors as react-hook-form keeps them: every message of a field, one per line. */
export function formErrorsOf(errors: FieldErrors): FormErrors<ClientFormValues> {
  const out: Record<string, FieldError> = {};
  for (const [field, messages] of Object.entries(errors)) {
    const name = (CLIENT_FORM_FIELDS as readonly string[]).includes(field) ? field : 'root';
    const message = [out[name]?.message, ...messages].filter(Boolean).join('\n');
    out[name] = { type: 'validate', message };
  }
  return out as FormErrors<ClientFormValues>;
}

/** Converts the values, then validates them with clientSettingsSchema: the server's own rules. */
export const clientFormResolver: Resolver<ClientFormValues, unknown, ClientSettingsInput> = async (values) => {
  const { input, errors } = settingsOf(values);
  const parsed = clientSettingsSchema.safeParse(input);
  const all: FieldErrors = { ...(parsed.success ? {} : fieldErrorsOf(parsed.error)) };
  for (const [field, messages] of Object.entries(errors)) all[field] = [...messages, ...(all[field] ?? [])];
  if (Object.keys(all).length === 0) return { values: input, errors: {} };
  return { values: {}, errors: formErrorsOf(all) };
};
