import type { ComponentProps, ReactNode } from 'react';

export interface FieldProps extends Omit<ComponentProps<'input'>, 'id' | 'aria-invalid' | 'aria-describedby' | 'className'> {
  /** The input's id; the label, hint and error ids derive from it. */
  id: string;
  label: string;
  /** Always-visible help below the label, read out with the input. */
  hint?: ReactNode;
  /** The field's current error, from the client schema or the server. */
  error?: string;
}

/**
 * A labelled text input with its hint and error. The error is linked with aria-describedby
 * and marks the input aria-invalid, so a screen reader announces it with the field.
 * No client directive: it renders inside client forms, and on the server where it can.
 */
export function Field({ id, label, hint, error, ...input }: FieldProps) {
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [errorId, hintId].filter(Boolean).join(' ') || undefined;
  return (
    <div className="space-y-1.5">
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <input
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        className={
          'block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-base text-slate-900 shadow-xs ' +
          'placeholder:text-slate-400 sm:text-sm ' +
          'focus:border-brand-600 focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-600/40 ' +
          'aria-invalid:border-red-600 aria-invalid:focus-visible:ring-red-600/40 ' +
          'disabled:cursor-not-allowed disabled:bg-slate-100'
        }
        {...input}
      />
      {error ? (
        <p id={errorId} className="flex gap-1.5 text-sm text-red-700">
          <ErrorIcon />
          <span>{error}</span>
        </p>
      ) : null}
      {hint ? (
        <p id={hintId} className="text-xs leading-5 text-slate-600">
          {hint}
        </p>
      ) : null}
    </div>
  );
}

function ErrorIcon() {
  return (
    <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" className="mt-0.5 size-4 shrink-0">
      <path
        fillRule="evenodd"
        d="M18 10a8 8 0 1 1-16 0 8 8 0 0 1 16 0Zm-8-5a.75.75 0 0 1 .75.75v4.5a.75.75 0 0 1-1.5 0v-4.5A.75.75 0 0 1 10 5Zm0 10a1 1 0 1 0 0-2 1 1 0 0 0 0 2Z"
        clipRule="evenodd"
      />
    </svg>
  );
}
