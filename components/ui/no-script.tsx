/** Shown only when JavaScript is off: the forms validate and submit with it. */
export function NoScript() {
  return (
    <noscript>
      <p className="rounded-lg border border-amber-200 bg-amber-50 px-3 py-2.5 text-sm text-amber-900">
        Turn on JavaScript in your browser to continue.
      </p>
    </noscript>
  );
}
