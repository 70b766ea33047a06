import { useState } from 'preact/hooks';
import type { CognitionOsClient } from '@client';
import { verifyApiKey } from './api';
import { ProblemView } from './components/problem-view';

/**
 * The sign-in form: the API key is checked with one authenticated call before it is kept (in
 * sessionStorage, by the caller). It is never put in a URL: the form is handled in script and
 * declares method="post" so even a native submission would not append it to the address.
 */
export function SignIn({ onSignedIn }: { onSignedIn: (key: string, api: CognitionOsClient) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    const trimmed = key.trim();
    if (!trimmed) {
      setError(new Error('Paste an API key first.'));
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const api = await verifyApiKey(trimmed);
      onSignedIn(trimmed, api);
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  return (
    <main id="main" class="sign-in">
      <h1>CognitionOS</h1>
      <form method="post" onSubmit={submit} aria-describedby="sign-in-help">
        <label for="api-key">API key</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          autocomplete="off"
          spellcheck={false}
          required
          value={key}
          onInput={(event) => setKey((event.target as HTMLInputElement).value)}
        />
        <p id="sign-in-help" class="muted small">
          Paste an API key (<code>cos_…</code>, e.g. the <code>BOOTSTRAP_API_KEY</code> or one from <code>npm run cli -- apikey:create</code>). It is kept in
          this tab only and cleared when you sign out or close it.
        </p>
        <button type="submit" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
      {error !== undefined && <ProblemView error={error} />}
    </main>
  );
}
