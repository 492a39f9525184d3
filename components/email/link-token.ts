'use client';

import { useEffect, useState } from 'react';

/**
 * The token of an emailed link, read from the URL fragment (`#token=…`), which browsers never
 * send to a server. It is removed from the address bar once read. `undefined` until hydrated,
 * then the token or null.
 */
export function useLinkToken(): string | null | undefined {
  const [token, setToken] = useState<string | null | undefined>(undefined);
  useEffect(() => {
    const value = new URLSearchParams(window.location.hash.slice(1)).get('token');
    // Reading the fragment needs the browser: this runs once after hydration.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    setToken(value && /^[A-Za-z0-9_-]{43}$/.test(value) ? value : null);
    if (value) window.history.replaceState(null, '', window.location.pathname + window.location.search);
  }, []);
  return token;
}
