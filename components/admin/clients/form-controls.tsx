import type { ComponentProps, ReactNode } from 'react';

/**
 * The client form's controls besides components/ui/field.tsx's text input: a multi-line list, a
 * select, a group of checkboxes and a single checkbox, each with a real label, its hint and its
 * errors linked by aria-describedby (the input marked aria-invalid), as Field does.
 */

const CONTROL =
  'block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-base text-slate-900 shadow-xs ' +
  'placeholder:text-slate-400 sm:text-sm focus:border-brand-600 focus:outline-none focus-visible:ring-2 ' +
  'focus-visible:ring-brand-600/40 aria-invalid:border-red-600 aria-invalid:focus-visible:ring-red-600/40';

function describedBy(id: string, hint: ReactNode, error: string | undefined): string | undefined {
  return [error ? `${id}-error` : null, hint ? `${id}-hint` : null].filter(Boolean).join(' ') || undefined;
}

/** A field's error messages, one per line (a list field has one per bad entry). */
export function FieldMessages({ id, error }: { id: string; error: string | undefined }) {
  if (!error) return null;
  const messages = error.split('\n');
  return (
    <div id={id} className="text-sm text-red-700">
      {messages.length === 1 ? (
        <p>{messages[0]}</p>
      ) : (
        <ul className="list-disc space-y-0.5 pl-5">
          {messages.map((message, index) => (
            <li key={index}>{message}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

function Hint({ id, hint }: { id: string; hint: ReactNode }) {
  return hint ? (
    <p id={`${id}-hint`} className="text-xs leading-5 text-slate-600">
      {hint}
    </p>
  ) : null;
}

export function TextAreaField({
  id,
  label,
  hint,
  error,
  ...textarea
}: Omit<ComponentProps<'textarea'>, 'id' | 'className'> & { id: string; label: string; hint?: ReactNode; error?: string | undefined }) {
  return (
    <div className="space-y-1.5">
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <textarea
        id={id}
        rows={3}
        spellCheck={false}
        autoCapitalize="off"
        autoComplete="off"
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, hint, error)}
        className={`${CONTROL} font-mono`}
        {...textarea}
      />
      <FieldMessages id={`${id}-error`} error={error} />
      <Hint id={id} hint={hint} />
    </div>
  );
}

export function SelectField({
  id,
  label,
  hint,
  error,
  children,
  ...select
}: Omit<ComponentProps<'select'>, 'id' | 'className'> & { id: string; label: string; hint?: ReactNode; error?: string | undefined }) {
  return (
    <div className="space-y-1.5">
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <select id={id} aria-invalid={error ? true : undefined} aria-describedby={describedBy(id, hint, error)} className={CONTROL} {...select}>
        {children}
      </select>
      <FieldMessages id={`${id}-error`} error={error} />
      <Hint id={id} hint={hint} />
    </div>
  );
}

/** A set of related choices (radios or checkboxes) under one legend, with the group's errors. */
export function ChoiceGroup({ id, legend, hint, error, children }: { id: string; legend: string; hint?: ReactNode; error?: string | undefined; children: ReactNode }) {
  return (
    <fieldset aria-describedby={describedBy(id, hint, error)} className="space-y-2">
      <legend className="text-sm font-medium text-slate-800">{legend}</legend>
      <Hint id={id} hint={hint} />
      <FieldMessages id={`${id}-error`} error={error} />
      <div className="flex flex-wrap gap-x-5 gap-y-2">{children}</div>
    </fieldset>
  );
}

/** One checkbox or radio with its label (and a short description read with it); `error` for a checkbox that is a field by itself. */
export function Choice({
  id,
  label,
  description,
  error,
  ...input
}: Omit<ComponentProps<'input'>, 'id' | 'className'> & { id: string; label: ReactNode; description?: ReactNode; error?: string | undefined }) {
  const described = [error ? `${id}-error` : null, description ? `${id}-description` : null].filter(Boolean).join(' ') || undefined;
  return (
    <span className="flex items-start gap-2">
      <input id={id} className="mt-0.5 size-4 shrink-0 accent-brand-600" aria-invalid={error ? true : undefined} aria-describedby={described} {...input} />
      <span>
        <label htmlFor={id} className="block text-sm text-slate-900">
          {label}
        </label>
        {description ? (
          <span id={`${id}-description`} className="block text-xs text-slate-600">
            {description}
          </span>
        ) : null}
        <FieldMessages id={`${id}-error`} error={error} />
      </span>
    </span>
  );
}
