import type { ComponentProps, ReactNode } from 'react';

type Variant = 'primary' | 'secondary';

export interface ButtonProps extends Omit<ComponentProps<'button'>, 'className'> {
  variant?: Variant;
  /** While true the button is disabled and shows `pendingLabel` with a spinner. */
  pending?: boolean;
  pendingLabel?: ReactNode;
  fullWidth?: boolean;
}

const BASE =
  'inline-flex items-center justify-center gap-2 rounded-lg px-4 py-2.5 text-sm font-semibold ' +
  'transition-colors focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-600 ' +
  'disabled:cursor-not-allowed disabled:opacity-70';

const VARIANTS: Record<Variant, string> = {
  primary: 'bg-brand-600 text-white shadow-xs hover:bg-brand-700 disabled:hover:bg-brand-600',
  secondary: 'bg-white text-slate-800 shadow-xs ring-1 ring-slate-300 ring-inset hover:bg-slate-50',
};

/** A button; `type` defaults to "button" so that only an explicit submit button submits. */
export function Button({
  variant = 'primary',
  pending = false,
  pendingLabel,
  fullWidth = false,
  disabled,
  type = 'button',
  children,
  ...props
}: ButtonProps) {
  return (
    <button
      type={type}
      disabled={disabled || pending}
      aria-busy={pending || undefined}
      className={`${BASE} ${VARIANTS[variant]}${fullWidth ? ' w-full' : ''}`}
      {...props}
    >
      {pending ? (
        <>
          <Spinner />
          {pendingLabel ?? children}
        </>
      ) : (
        children
      )}
    </button>
  );
}

function Spinner() {
  return (
    <svg aria-hidden="true" viewBox="0 0 24 24" fill="none" className="size-4 animate-spin">
      <circle cx="12" cy="12" r="9" stroke="currentColor" strokeOpacity="0.3" strokeWidth="3" />
      <path d="M21 12a9 9 0 0 0-9-9" stroke="currentColor" strokeWidth="3" strokeLinecap="round" />
    </svg>
  );
}
