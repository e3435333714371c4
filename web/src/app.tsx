// The app: who is signed in (GET /me) decides between the sign-in page and the shell, whose
// navigation depends on the role. A 401 anywhere brings the sign-in page back.
import { useCallback, useEffect, useState } from 'react';
import { api, UNAUTHORIZED_EVENT } from './api.js';
import type { Me } from './types.js';
import { SignInPage } from './pages/sign-in.js';
import { Shell } from './shell.js';

export function App() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const refresh = useCallback(() => {
    api<Me>('GET', '/me').then(setMe, () => setMe(null));
  }, []);
  useEffect(() => {
    refresh();
    const onUnauthorized = () => setMe(null);
    window.addEventListener(UNAUTHORIZED_EVENT, onUnauthorized);
    return () => window.removeEventListener(UNAUTHORIZED_EVENT, onUnauthorized);
  }, [refresh]);
  if (me === undefined) return <p className="loading">Loading…</p>;
  if (me === null) return <SignInPage onSignedIn={refresh} />;
  const signOut = () => {
    api('POST', '/logout').finally(() => setMe(null));
  };
  return <Shell me={me} onSignOut={signOut} />;
}
