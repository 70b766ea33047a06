import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { createCognitionOsClient, type CognitionOsClient } from '@client';

/** Where the API key lives: this tab's sessionStorage only (never a URL, never localStorage). */
export const API_KEY_STORAGE = 'cognition-os.api-key';

export function storedApiKey(): string | null {
  try {
    return sessionStorage.getItem(API_KEY_STORAGE);
  } catch {
    return null;
  }
}

export function storeApiKey(key: string): void {
  sessionStorage.setItem(API_KEY_STORAGE, key);
}

export function forgetApiKey(): void {
  sessionStorage.removeItem(API_KEY_STORAGE);
}

/**
 * An Idempotency-Key for the client's starts. `crypto.randomUUID` exists only in secure contexts
 * (https, localhost): a dashboard opened over plain http on another host falls back to getRandomValues.
 */
function idempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The typed client of the API this page was served by (same origin), authenticated with `key`. */
export function createApi(key: string): CognitionOsClient {
  return createCognitionOsClient({ baseUrl: window.location.origin, apiKey: key, idempotencyKey });
}

/**
 * Checks a key with a cheap authenticated call (one workflow); throws the API's CognitionOsError
 * (401 with its title and detail for a wrong key).
 */
export async function verifyApiKey(key: string): Promise<CognitionOsClient> {
  const api = createApi(key);
  await api.get('/api/v3/workflows', { params: { query: { limit: 1 } } });
  return api;
}

export interface Session {
  api: CognitionOsClient;
  signOut(): void;
}

export const SessionContext = createContext<Session | null>(null);

/** The signed-in session (the typed client and sign-out); only inside the signed-in shell. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession() outside the signed-in shell');
  return session;
}

/** The typed client of the signed-in session. */
export function useClient(): CognitionOsClient {
  return useSession().api;
}
