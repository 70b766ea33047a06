import { useState } from 'preact/hooks';
import { useClient } from '../../api';
import { ProblemView } from '../../components/problem-view';
import { parseJson } from './json-view';
import { useAction } from './use-action';
import type { Execution } from './use-live-execution';

/**
 * Cancel (while pending or running) and retry buttons, with the problem of a refused one. Retry is
 * enabled for failed executions only: the API resumes a failed execution and refuses any other (409).
 */
export function ExecutionActions({ execution, onDone, onRetried }: { execution: Execution; onDone: () => void; onRetried: () => void }) {
  const api = useClient();
  const action = useAction();
  const id = execution.id;
  const cancellable = execution.status === 'pending' || execution.status === 'running';
  const retryable = execution.status === 'failed';
  return (
    <div class="stack">
      <div class="row">
        <button
          type="button"
          class="danger"
          disabled={!cancellable || action.busy !== null}
          onClick={async () => {
            if (await action.run('cancel', () => api.post('/api/v3/executions/{id}/cancel', { params: { path: { id } } }))) onDone();
          }}
        >
          {action.busy === 'cancel' ? 'Cancelling…' : 'Cancel execution'}
        </button>
        <button
          type="button"
          disabled={!retryable || action.busy !== null}
          onClick={async () => {
            if (await action.run('retry', () => api.post('/api/v3/executions/{id}/retry', { params: { path: { id } } }))) onRetried();
          }}
        >
          {action.busy === 'retry' ? 'Retrying…' : 'Retry execution'}
        </button>
      </div>
      {action.error !== undefined && <ProblemView error={action.error} />}
    </div>
  );
}

/**
 * Sends a signal (name + JSON body, checked here before it is sent); the API's refusal is shown as a
 * problem. `onSending` is called as a signal is sent, `onSent` once it was taken. `ended`: the
 * execution has ended since (the form stays to show what the last signal did, and sends no more).
 */
export function SignalForm(props: { executionId: string; suggestions: string[]; onSending?: () => void; onSent: () => void; ended?: boolean }) {
  const { executionId, suggestions, onSending, onSent, ended = false } = props;
  const api = useClient();
  const action = useAction();
  // Until edited, the name is the first signal a step of the definition waits for.
  const [name, setName] = useState<string | null>(null);
  const [body, setBody] = useState('{}');
  const [invalid, setInvalid] = useState<string | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  const listId = `signal-names-${executionId}`;
  const effectiveName = name ?? suggestions[0] ?? '';
  return (
    <form
      class="stack"
      aria-label="Send a signal"
      onSubmit={async (event) => {
        event.preventDefault();
        setSent(null);
        const parsed = parseJson(body);
        if (!parsed.ok) {
          setInvalid(`The body is not valid JSON: ${parsed.message}`);
          return;
        }
        setInvalid(null);
        onSending?.();
        const signalName = effectiveName.trim();
        const ok = await action.run('signal', async () => {
          const answer = await api.post('/api/v3/executions/{id}/signals/{name}', { params: { path: { id: executionId, name: signalName } }, body: parsed.value });
          setSent(answer.delivered ? `Signal "${signalName}" delivered: a waiting step took it.` : `Signal "${signalName}" kept: no step waits for it yet.`);
        });
        if (ok) onSent();
      }}
    >
      <label>
        Signal name
        <input required list={listId} value={effectiveName} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <datalist id={listId}>
        {suggestions.map((s) => (
          <option key={s} value={s} />
        ))}
      </datalist>
      <label>
        Body (JSON)
        <textarea
          value={body}
          aria-invalid={invalid ? 'true' : undefined}
          aria-describedby={invalid ? 'signal-body-error' : undefined}
          onInput={(e) => {
            setBody(e.currentTarget.value);
            setInvalid(null);
          }}
        />
      </label>
      {invalid && (
        <p id="signal-body-error" class="field-error" role="alert">
          {invalid}
        </p>
      )}
      <div class="row">
        <button type="submit" disabled={ended || action.busy !== null || effectiveName.trim() === ''}>
          {action.busy ? 'Sending…' : 'Send signal'}
        </button>
      </div>
      {sent && (
        <p class="notice" role="status">
          {sent}
        </p>
      )}
      {action.error !== undefined && <ProblemView error={action.error} />}
    </form>
  );
}
