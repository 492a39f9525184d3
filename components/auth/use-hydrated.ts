import { useSyncExternalStore } from 'react';

const subscribe = () => () => {};

/**
 * False in the server HTML, true once React runs in the browser. The forms keep their submit
 * button disabled until then: before hydration a native submission would send the password
 * to the page's own URL, and a disabled default button stops Enter from submitting.
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  );
}
