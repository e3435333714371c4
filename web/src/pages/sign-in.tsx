// Sign-in: POST /login sets the HttpOnly session cookie; the app then reloads /me.
import { useState, type FormEvent } from 'react';
import { api, errorText } from '../api.js';

export function SignInPage({ onSignedIn }: { onSignedIn(): void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (username: string, password: string) => {
    setBusy(true);
    setError(null);
    try {
      await api('POST', '/login', { username, password });
      onSignedIn();
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };
  return <SignInView busy={busy} error={error} onSubmit={submit} />;
}

export function SignInView({ busy, error, onSubmit }: { busy: boolean; error: string | null; onSubmit(u: string, p: string): void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit(username, password);
  };
  return (
    <form className="sign-in card" onSubmit={submit}>
      <h1>Tether</h1>
      <p className="muted">Disposable workspaces, persistent data.</p>
      <label>Username<input name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required autoFocus /></label>
      <label>Password<input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required /></label>
      {error && <p className="error" role="alert">{error}</p>}
      <button type="submit" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
    </form>
  );
}
