const FORMAT = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'UTC',
});

/** A moment for the account pages, formatted once on the server (same text in the HTML and after hydration). */
export function when(date: Date): { iso: string; label: string } {
  return { iso: date.toISOString(), label: `${FORMAT.format(date)} UTC` };
}
