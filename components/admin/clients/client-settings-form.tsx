'use client';

import { useState, type ChangeEvent, type ReactNode } from 'react';
import { useForm, useWatch, type Path } from 'react-hook-form';
import { callJson } from '@/components/auth/post-json';
import { useHydrated } from '@/components/auth/use-hydrated';
import { ActionError, type ActionFailure } from '@/components/account/action-error';
import { FormAlert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import {
  ACCESS_TOKEN_TTL,
  CLIENT_NAME_MAX,
  CORS_ORIGINS_MAX,
  RESOURCES_MAX,
  REDIRECT_URIS_MAX,
  REFRESH_TOKEN_IDLE_TTL,
  REFRESH_TOKEN_MAX_TTL,
  type ClientSettingsInput,
} from '@/lib/oauth/clients/settings-schema';
import { SECRET_AUTH_METHODS, type TokenEndpointAuthMethod } from '@/lib/oauth/clients/types';
import { CLIENT_FORM_FIELDS, clientFormResolver, type ClientFormValues } from './client-form-values';
import { Choice, ChoiceGroup, SelectField, TextAreaField } from './form-controls';
import { SIGNING_ALG_LABELS, SIGNING_ALGORITHMS } from '@/lib/oauth/keys/algorithms';

const METHOD_LABELS: Record<TokenEndpointAuthMethod, string> = {
  client_secret_basic: 'Client secret, sent with HTTP Basic (client_secret_basic)',
  client_secret_post: 'Client secret, sent in the request body (client_secret_post)',
  private_key_jwt: 'Signed JWT with the app’s private key (private_key_jwt)',
  none: 'None: a public client proves itself with PKCE (none)',
};

const GRANTS = [
  ['authorization_code', 'Authorization code', 'Users sign in through the browser, with PKCE.'],
  ['refresh_token', 'Refresh token', 'The app renews its access without the user (with authorization code).'],
  ['client_credentials', 'Client credentials', 'A service gets tokens for itself (confidential clients only).'],
] as const;

const SCOPES = [
  ['openid', 'Sign-in: the ID token'],
  ['profile', 'The user’s name'],
  ['email', 'The email address'],
  ['offline_access', 'Refresh tokens'],
] as const;

const usesSecret = (method: string) => (SECRET_AUTH_METHODS as readonly string[]).includes(method);

export interface ClientFormSuccess {
  data: Record<string, unknown>;
  /** Resets the form to these values (the client as saved). */
  reset: (values: ClientFormValues) => void;
}

/**
 * Every setting of an OAuth client, for a new client or an existing one. Validated as you type
 * with clientSettingsSchema (the server's own schema, through clientFormResolver): each redirect
 * URI, post-logout URI and origin is checked as it is typed, with a message per bad line. On
 * submit the settings are POSTed as JSON to `endpoint`; the server's field errors land next to
 * their fields.
 */
export function ClientSettingsForm({
  id,
  endpoint,
  initial,
  savedAuthMethod,
  submitLabel,
  pendingLabel,
  onSuccess,
}: {
  /** Prefix of the form's element ids. */
  id: string;
  endpoint: string;
  initial: ClientFormValues;
  /** The registered client's method, to say what saving does to its secret; absent for a new client. */
  savedAuthMethod?: string;
  submitLabel: string;
  pendingLabel: string;
  onSuccess: (success: ClientFormSuccess) => void;
}) {
  const hydrated = useHydrated();
  const [failure, setFailure] = useState<ActionFailure | null>(null);
  const form = useForm<ClientFormValues, unknown, ClientSettingsInput>({
    resolver: clientFormResolver,
    mode: 'onChange',
    reValidateMode: 'onChange',
    defaultValues: initial,
  });
  const { errors, isSubmitting } = form.formState;
  const type = useWatch({ control: form.control, name: 'type' });
  const method = useWatch({ control: form.control, name: 'tokenEndpointAuthMethod' });
  const error = (field: keyof ClientFormValues) => errors[field]?.message;

  /** Keeps the other settings possible for the chosen type (the schema would refuse them otherwise). */
  const onTypeChange = (event: ChangeEvent<HTMLInputElement>) => {
    const options = { shouldDirty: true, shouldValidate: form.formState.isSubmitted };
    if (event.target.value === 'public') {
      form.setValue('tokenEndpointAuthMethod', 'none', options);
      form.setValue('requirePkce', true, options);
      form.setValue('grantTypes', (form.getValues('grantTypes') ?? []).filter((grant) => grant !== 'client_credentials'), options);
    } else if (form.getValues('tokenEndpointAuthMethod') === 'none') {
      form.setValue('tokenEndpointAuthMethod', 'client_secret_basic', options);
    }
  };

  const onSubmit = form.handleSubmit(async (settings) => {
    setFailure(null);
    const result = await callJson(endpoint, settings);
    if (!result.ok) {
      const entries = Object.entries(result.fieldErrors);
      if (entries.length === 0) {
        setFailure(result);
        return;
      }
      entries.forEach(([field, messages], index) => {
        const name = (CLIENT_FORM_FIELDS as readonly string[]).includes(field) ? (field as Path<ClientFormValues>) : 'root.server';
        form.setError(name, { type: 'server', message: messages.join('\n') }, { shouldFocus: index === 0 });
      });
      return;
    }
    onSuccess({ data: result.data, reset: (values) => form.reset(values) });
  });

  const secretNote =
    savedAuthMethod === undefined
      ? usesSecret(method)
        ? 'A client secret is generated and shown once after registration.'
        : null
      : usesSecret(savedAuthMethod) && !usesSecret(method)
        ? 'Saving deletes this client’s secret: apps still using it stop working.'
        : !usesSecret(savedAuthMethod) && usesSecret(method)
          ? 'Saving generates a client secret, shown once.'
          : null;

  const rootMessage = [errors.root?.message, errors.root?.server?.message].filter(Boolean).join(' ') || undefined;
  const fid = (name: string) => `${id}-${name}`;

  return (
    <form method="post" noValidate onSubmit={onSubmit} aria-label={submitLabel} className="space-y-8">
      <div>
        <FormAlert id={fid('alert')} message={rootMessage} />
        <ActionError id={fid('error')} failure={failure} />
      </div>

      <FormSection title="The app">
        <Field
          id={fid('name')}
          label="Name"
          type="text"
          autoComplete="off"
          hint={`Shown to users on the consent page (up to ${CLIENT_NAME_MAX} characters).`}
          error={error('name')}
          {...form.register('name')}
        />
        <ChoiceGroup
          id={fid('type')}
          legend="Type"
          hint="Confidential: a server that can keep a secret. Public: a browser or native app, which cannot."
          error={error('type')}
        >
          <Choice id={fid('type-confidential')} type="radio" value="confidential" label="Confidential" {...form.register('type', { onChange: onTypeChange })} />
          <Choice id={fid('type-public')} type="radio" value="public" label="Public" {...form.register('type', { onChange: onTypeChange })} />
        </ChoiceGroup>
        <SelectField
          id={fid('method')}
          label="Authentication at the token endpoint"
          hint={secretNote}
          error={error('tokenEndpointAuthMethod')}
          {...form.register('tokenEndpointAuthMethod')}
        >
          {(type === 'public' ? (['none'] as const) : (['client_secret_basic', 'client_secret_post', 'private_key_jwt'] as const)).map((value) => (
            <option key={value} value={value}>
              {METHOD_LABELS[value]}
            </option>
          ))}
        </SelectField>
        {method === 'private_key_jwt' ? (
          <TextAreaField
            id={fid('jwks')}
            label="Public keys (JWKS)"
            rows={8}
            hint='The app’s public keys as a JSON Web Key Set: {"keys": [ … ]}. RSA (2048 bits or more) or EC P-256; never a private key.'
            error={error('jwks')}
            {...form.register('jwks')}
          />
        ) : null}
      </FormSection>

      <FormSection title="Redirects and origins">
        <TextAreaField
          id={fid('redirect-uris')}
          label="Redirect URIs"
          placeholder="https://app.example.com/callback"
          hint={`One per line, up to ${REDIRECT_URIS_MAX}, compared exactly. https (http only for localhost, 127.0.0.1 and [::1]); a native app may use a private-use scheme such as com.example.app:/callback. No fragments or wildcards.`}
          error={error('redirectUris')}
          {...form.register('redirectUris')}
        />
        <TextAreaField
          id={fid('post-logout-uris')}
          label="Post-logout redirect URIs"
          placeholder="https://app.example.com/"
          hint="Where users may be sent back after signing out, one per line (same rules)."
          error={error('postLogoutRedirectUris')}
          {...form.register('postLogoutRedirectUris')}
        />
        <TextAreaField
          id={fid('cors-origins')}
          label="Allowed CORS origins"
          placeholder="https://app.example.com"
          hint={`For a browser app that calls the token endpoint itself: scheme://host[:port], one per line, up to ${CORS_ORIGINS_MAX}.`}
          error={error('corsOrigins')}
          {...form.register('corsOrigins')}
        />
        <TextAreaField
          id={fid('resources')}
          label="APIs (resource indicators)"
          placeholder="https://api.example.com/"
          hint={`The APIs this client may get access tokens for with the resource parameter (RFC 8707): absolute https URIs without a fragment, one per line, up to ${RESOURCES_MAX}. Leave empty for tokens for Optare's userinfo only.`}
          error={error('resources')}
          {...form.register('resources')}
        />
      </FormSection>

      <FormSection title="Grants and scopes">
        <ChoiceGroup id={fid('grants')} legend="Grant types" error={error('grantTypes')}>
          {GRANTS.map(([value, label, description]) => (
            <Choice
              key={value}
              id={fid(`grant-${value}`)}
              type="checkbox"
              value={value}
              label={label}
              description={description}
              disabled={value === 'client_credentials' && type === 'public'}
              {...form.register('grantTypes')}
            />
          ))}
        </ChoiceGroup>
        <ChoiceGroup id={fid('scopes')} legend="Scopes the app may ask for" error={error('scopes')}>
          {SCOPES.map(([value, description]) => (
            <Choice key={value} id={fid(`scope-${value}`)} type="checkbox" value={value} label={<code>{value}</code>} description={description} {...form.register('scopes')} />
          ))}
        </ChoiceGroup>
      </FormSection>

      <FormSection title="Token lifetimes (seconds)">
        <div className="grid gap-4 sm:grid-cols-3">
          <Field
            id={fid('access-ttl')}
            label="Access token"
            type="number"
            inputMode="numeric"
            min={ACCESS_TOKEN_TTL.min}
            max={ACCESS_TOKEN_TTL.max}
            step={1}
            hint={`${ACCESS_TOKEN_TTL.min} to ${ACCESS_TOKEN_TTL.max} (1 day).`}
            error={error('accessTokenTtl')}
            {...form.register('accessTokenTtl', { valueAsNumber: true })}
          />
          <Field
            id={fid('refresh-idle-ttl')}
            label="Refresh token, unused"
            type="number"
            inputMode="numeric"
            min={REFRESH_TOKEN_IDLE_TTL.min}
            max={REFRESH_TOKEN_IDLE_TTL.max}
            step={1}
            hint="Ends if not used for this long."
            error={error('refreshTokenIdleTtl')}
            {...form.register('refreshTokenIdleTtl', { valueAsNumber: true })}
          />
          <Field
            id={fid('refresh-max-ttl')}
            label="Refresh token, at most"
            type="number"
            inputMode="numeric"
            min={REFRESH_TOKEN_MAX_TTL.min}
            max={REFRESH_TOKEN_MAX_TTL.max}
            step={1}
            hint="Ends this long after sign-in, whatever the use."
            error={error('refreshTokenMaxTtl')}
            {...form.register('refreshTokenMaxTtl', { valueAsNumber: true })}
          />
        </div>
      </FormSection>

      <FormSection title="Security">
        <div className="space-y-3">
          <Choice
            id={fid('require-pkce')}
            type="checkbox"
            label="Require PKCE"
            description="Only a confidential client may turn this off, and only if it cannot send PKCE."
            error={error('requirePkce')}
            {...form.register('requirePkce')}
          />
          <Choice
            id={fid('first-party')}
            type="checkbox"
            label="First-party app"
            description="Your own app: users are not asked for consent."
            error={error('firstParty')}
            {...form.register('firstParty')}
          />
        </div>
      </FormSection>

      <FormSection title="Token signing">
        <p className="text-sm text-slate-600">
          RS256 is what every OpenID Connect library accepts, and OpenID Connect requires it. The server’s default is RS256 unless the
          operator set OPTARE_DEFAULT_SIGNING_ALG: choose RS256 here if the app’s library supports nothing else. PS256 (RSA-PSS), ES256
          (P-256) and EdDSA (Ed25519) meet stricter security baselines (ASVS level 2 treats RS256 with RSA-2048 as below its bar); ES256
          and EdDSA tokens are also smaller and faster to sign.
        </p>
        <div className="grid gap-4 sm:grid-cols-2">
          <SelectField
            id={fid('id-token-alg')}
            label="ID token algorithm (id_token_signed_response_alg)"
            error={error('idTokenSignedResponseAlg')}
            {...form.register('idTokenSignedResponseAlg')}
          >
            <option value="">Server default (OPTARE_DEFAULT_SIGNING_ALG, RS256 unless configured)</option>
            {SIGNING_ALGORITHMS.map((value) => (
              <option key={value} value={value}>
                {SIGNING_ALG_LABELS[value]}
              </option>
            ))}
          </SelectField>
          <SelectField
            id={fid('access-token-alg')}
            label="Access token algorithm"
            hint="The APIs that verify this app’s access tokens must accept it."
            error={error('accessTokenSignedResponseAlg')}
            {...form.register('accessTokenSignedResponseAlg')}
          >
            <option value="">Server default (OPTARE_DEFAULT_SIGNING_ALG, RS256 unless configured)</option>
            {SIGNING_ALGORITHMS.map((value) => (
              <option key={value} value={value}>
                {SIGNING_ALG_LABELS[value]}
              </option>
            ))}
          </SelectField>
        </div>
      </FormSection>

      <Button type="submit" disabled={!hydrated} pending={isSubmitting} pendingLabel={pendingLabel}>
        {submitLabel}
      </Button>
    </form>
  );
}

function FormSection({ title, children }: { title: string; children: ReactNode }) {
  return (
    <fieldset className="space-y-4">
      <legend className="text-base font-semibold text-slate-900">{title}</legend>
      {children}
    </fieldset>
  );
}
