import { useContext } from 'preact/hooks';
import { CognitionOsError } from '@client';
import { SessionContext } from '../api';

export interface ProblemViewProps {
  /** What a call threw: a CognitionOsError (problem+json) shows its title, detail, code and errors; anything else its message. */
  error: unknown;
  /** Shows a "Try again" button calling this. */
  onRetry?: () => void;
}

/** The plain description of a failure, as `{title, detail, code, status, errors, requestId}`. */
export function describeProblem(error: unknown): { title: string; detail: string; code?: string; status?: number; errors: { path?: string; message?: string; code?: string }[]; requestId?: string } {
  if (error instanceof CognitionOsError) {
    return {
      title: error.title || `HTTP ${error.status}`,
      detail: error.detail,
      code: error.code,
      status: error.status,
      errors: error.errors,
      requestId: error.requestId,
    };
  }
  if (error instanceof TypeError) return { title: 'Could not reach the API', detail: error.message, errors: [] };
  if (error instanceof Error) return { title: 'Something went wrong', detail: error.message, errors: [] };
  return { title: 'Something went wrong', detail: String(error), errors: [] };
}

/** An API failure shown plainly: the problem+json `title` and `detail` (role="alert"); a 401 offers to sign in again. */
export function ProblemView({ error, onRetry }: ProblemViewProps) {
  const problem = describeProblem(error);
  // A key revoked (or expired) while signed in: offer to sign in again rather than retrying in vain.
  const session = useContext(SessionContext);
  return (
    <div class="problem" role="alert">
      <p class="problem-title">
        <strong>{problem.title}</strong>
        {problem.code && <code class="problem-code">{problem.code}</code>}
      </p>
      {problem.detail && <p class="problem-detail">{problem.detail}</p>}
      {problem.errors.length > 0 && (
        <ul class="problem-errors">
          {problem.errors.map((item, index) => (
            <li key={index}>
              {item.path && <code>{item.path}</code>} {item.message ?? item.code}
            </li>
          ))}
        </ul>
      )}
      {problem.requestId && <p class="muted small">Request id: <code>{problem.requestId}</code></p>}
      {session && problem.status === 401 && (
        <button type="button" onClick={session.signOut}>
          Sign in again
        </button>
      )}
      {onRetry && (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}
