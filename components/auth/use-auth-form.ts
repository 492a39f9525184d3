'use client';

import { useState } from 'react';
import { useForm, type DefaultValues, type FieldValues, type Path } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import type { z } from 'zod';
import { postJson } from './post-json';
import { showServerErrors } from './server-errors';
import { useHydrated } from './use-hydrated';

interface AuthFormOptions<In extends FieldValues, Out extends FieldValues> {
  schema: z.ZodType<Out, In>;
  defaultValues: DefaultValues<In>;
  /** The JSON endpoint the form posts to. */
  endpoint: string;
  /** The fields whose server-side errors are shown next to them. */
  fields: readonly Path<In>[];
  /** The opaque handle of a pending authorization request, passed through to the server. */
  request?: string | undefined;
  /** An account-area path to return to after sign-in (the server checks it again). */
  next?: string | undefined;
  /** More fields for the body the form posts (e.g. the first-run setup token). */
  extraBody?: Record<string, string> | undefined;
  /** Runs just before the form posts (e.g. to abort the passkey autofill request). */
  onSubmitStart?: () => void;
}

/**
 * The behaviour the sign-in and sign-up forms share: validate with the shared zod schema, POST
 * JSON, put the server's errors next to their fields, and on success navigate fully (so the
 * server sees the new session cookie) to the same-origin path the server answered.
 */
export function useAuthForm<In extends FieldValues, Out extends FieldValues>({
  schema,
  defaultValues,
  endpoint,
  fields,
  request,
  next,
  extraBody,
  onSubmitStart,
}: AuthFormOptions<In, Out>) {
  const hydrated = useHydrated();
  const [leaving, setLeaving] = useState(false);
  const form = useForm<In, unknown, Out>({
    resolver: zodResolver(schema),
    mode: 'onSubmit',
    reValidateMode: 'onChange',
    defaultValues,
  });

  const onSubmit = form.handleSubmit(async (values) => {
    onSubmitStart?.();
    const result = await postJson(endpoint, { ...extraBody, ...values, ...(request ? { request } : {}), ...(next ? { next } : {}) });
    if (result.ok) {
      setLeaving(true);
      window.location.assign(result.redirectTo);
      return;
    }
    showServerErrors(result, fields, form.setError);
  });

  return {
    register: form.register,
    errors: form.formState.errors,
    onSubmit,
    /** The submit button waits for hydration: a native submit would post the password to the page URL. */
    ready: hydrated,
    pending: form.formState.isSubmitting || leaving,
  };
}
