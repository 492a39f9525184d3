'use client';

import { useMemo, useTransition } from 'react';
import { useRouter } from 'next/navigation';
import { useForm, type FieldErrors as FormFieldErrors } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { FormAlert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { TextLink } from '@/components/ui/text-link';
import {
  AUDIT_FILTER_LIMITS,
  auditFilterQuery,
  auditFilterSchema,
  type AuditFilter,
  type AuditFilterFormValues,
  type AuditFilterInput,
} from '@/lib/admin/audit-filter';
import { AUDIT_EVENT_TYPES } from '@/lib/audit/events';
import type { FieldErrors } from '@/lib/validation/account';

/** The event types by their noun (user, client, auth, …), for the type list's groups. */
const TYPE_GROUPS = Object.entries(
  AUDIT_EVENT_TYPES.reduce<Record<string, string[]>>((groups, type) => {
    (groups[type.split('.')[0]!] ??= []).push(type);
    return groups;
  }, {}),
);

const SELECT_CLASS =
  'block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-base text-slate-900 shadow-xs sm:text-sm ' +
  'focus:border-brand-600 focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-600/40 ' +
  'aria-invalid:border-red-600';

/**
 * The audit log's filters. Validated with the same schema the page and the API use, then
 * applied by navigating to /admin/audit with the filters as the URL's query (so a filtered view
 * can be bookmarked and shared). Without JavaScript, the form submits the same query natively.
 */
export function AuditFilterForm({ values, serverErrors }: { values: AuditFilterFormValues; serverErrors: FieldErrors }) {
  const router = useRouter();
  const errorsFromUrl = useMemo(() => formErrorsOf(serverErrors), [serverErrors]);
  const [navigating, startNavigation] = useTransition();
  const form = useForm<AuditFilterInput, unknown, AuditFilter>({
    resolver: zodResolver(auditFilterSchema),
    mode: 'onSubmit',
    reValidateMode: 'onChange',
    defaultValues: values,
    errors: errorsFromUrl,
  });
  const { errors } = form.formState;

  const onSubmit = form.handleSubmit((values) => {
    const query = auditFilterQuery(values).toString();
    startNavigation(() => router.push(query ? `/admin/audit?${query}` : '/admin/audit'));
  });

  const typeError = errors.type?.message ?? (Array.isArray(errors.type) ? errors.type.find(Boolean)?.message : undefined);
  return (
    <form method="get" action="/admin/audit" noValidate onSubmit={onSubmit} aria-label="Filter audit events" className="space-y-5">
      <FormAlert id="audit-filter-alert" message={errors.root?.server?.message} />
      <div className="grid gap-5 md:grid-cols-3">
        <div className="space-y-1.5 md:row-span-3">
          <label htmlFor="audit-type" className="block text-sm font-medium text-slate-800">
            Event types
          </label>
          <select
            id="audit-type"
            multiple
            size={12}
            aria-invalid={typeError ? true : undefined}
            aria-describedby={[typeError ? 'audit-type-error' : '', 'audit-type-hint'].filter(Boolean).join(' ')}
            className={SELECT_CLASS}
            {...form.register('type')}
          >
            {TYPE_GROUPS.map(([noun, types]) => (
              <optgroup key={noun} label={noun}>
                {types.map((type) => (
                  <option key={type} value={type}>
                    {type}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
          {typeError ? (
            <p id="audit-type-error" className="text-sm text-red-700">
              {typeError}
            </p>
          ) : null}
          <p id="audit-type-hint" className="text-xs leading-5 text-slate-600">
            None chosen: every type. Hold Ctrl (⌘ on a Mac) to choose several.
          </p>
        </div>
        <Field
          id="audit-actor"
          label="Actor"
          type="text"
          autoComplete="off"
          spellCheck={false}
          maxLength={AUDIT_FILTER_LIMITS.actor}
          hint="Who acted: an email address, a user id, an API key id or an API key prefix (opk_…)."
          error={errors.actor?.message}
          {...form.register('actor')}
        />
        <Field
          id="audit-subject"
          label="Subject"
          type="text"
          autoComplete="off"
          spellCheck={false}
          maxLength={AUDIT_FILTER_LIMITS.subject}
          hint="What the event is about, exactly as recorded: a user id, a client id, a session id, an email tried."
          error={errors.subject?.message}
          {...form.register('subject')}
        />
        <Field
          id="audit-client"
          label="Client"
          type="text"
          autoComplete="off"
          spellCheck={false}
          maxLength={AUDIT_FILTER_LIMITS.client}
          hint="A client id: its changes, consents and token events."
          error={errors.client?.message}
          {...form.register('client')}
        />
        <Field
          id="audit-ip"
          label="IP address"
          type="text"
          autoComplete="off"
          spellCheck={false}
          inputMode="text"
          maxLength={AUDIT_FILTER_LIMITS.ip}
          error={errors.ip?.message}
          {...form.register('ip')}
        />
        <div className="space-y-1.5">
          <label htmlFor="audit-outcome" className="block text-sm font-medium text-slate-800">
            Outcome
          </label>
          <select
            id="audit-outcome"
            aria-invalid={errors.outcome ? true : undefined}
            aria-describedby={errors.outcome ? 'audit-outcome-error' : undefined}
            className={SELECT_CLASS}
            {...form.register('outcome')}
          >
            <option value="">Any</option>
            <option value="success">Success</option>
            <option value="failure">Failure</option>
          </select>
          {errors.outcome ? (
            <p id="audit-outcome-error" className="text-sm text-red-700">
              {errors.outcome.message}
            </p>
          ) : null}
        </div>
        <Field
          id="audit-from"
          label="From (UTC)"
          type="datetime-local"
          step={1}
          hint="Events at or after this time."
          error={errors.from?.message}
          {...form.register('from')}
        />
        <Field
          id="audit-to"
          label="Until (UTC)"
          type="datetime-local"
          step={1}
          hint="Events before this time."
          error={errors.to?.message}
          {...form.register('to')}
        />
      </div>
      <div className="flex flex-wrap items-center gap-4">
        <Button type="submit" pending={navigating} pendingLabel="Filtering…">
          Apply filters
        </Button>
        <TextLink href="/admin/audit">Clear filters</TextLink>
      </div>
    </form>
  );
}

/** The page's own validation of the URL's filters, as the form shows errors. */
function formErrorsOf(errors: FieldErrors): FormFieldErrors<AuditFilterInput> {
  const fields = ['type', 'actor', 'subject', 'client', 'ip', 'outcome', 'from', 'to'] as const;
  const result: FormFieldErrors<AuditFilterInput> = {};
  const other: string[] = [];
  for (const [field, messages] of Object.entries(errors)) {
    const known = fields.find((name) => name === field);
    if (known) result[known] = { type: 'server', message: messages[0] };
    else other.push(...messages);
  }
  if (other.length > 0) result.root = { server: { type: 'server', message: other.join(' ') } };
  return result;
}
