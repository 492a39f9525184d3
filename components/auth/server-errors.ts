import type { FieldValues, Path, UseFormSetError } from 'react-hook-form';
import type { PostResult } from './post-json';

/**
 * Puts a failed request's messages where they belong: each known field's first message next to
 * that field (focusing the first), and everything else in the form-level alert (`root.server`,
 * which react-hook-form clears at the next submit).
 */
export function showServerErrors<T extends FieldValues>(
  result: Extract<PostResult, { ok: false }>,
  fields: readonly Path<T>[],
  setError: UseFormSetError<T>,
): void {
  let placed = 0;
  const unplaced: string[] = [];
  for (const [field, messages] of Object.entries(result.fieldErrors)) {
    const known = fields.find((name) => name === field);
    if (known) {
      setError(known, { type: 'server', message: messages[0] }, { shouldFocus: placed === 0 });
      placed++;
    } else {
      unplaced.push(...messages);
    }
  }
  if (placed === 0 || unplaced.length > 0) {
    setError('root.server', { type: result.code, message: placed === 0 ? result.message : unplaced.join(' ') });
  }
}
