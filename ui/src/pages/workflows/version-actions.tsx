import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import type { components } from '@client';
import { useClient } from '../../api';
import { ProblemView } from '../../components/problem-view';
import { uiPath } from '../../routing';
import { parseJson } from '../executions/json-view';
import { useAction } from '../executions/use-action';

type Workflow = components['schemas']['WorkflowResponseDto'];
type Transition = 'activate' | 'deprecate' | 'archive';

/** The lifecycle moves each status allows (SPEC: draft → active → deprecated → archived; draft|active → archived). */
export const TRANSITIONS: Record<Workflow['status'], Transition[]> = {
  draft: ['activate', 'archive'],
  active: ['deprecate', 'archive'],
  deprecated: ['archive'],
  archived: [],
};

const LABELS: Record<Transition, string> = { activate: 'Activate', deprecate: 'Deprecate', archive: 'Archive' };

/** Activate / deprecate / archive, only the moves valid from the status shown enabled; a refusal (409…) shown as a problem. */
export function LifecycleActions({ workflow, onChanged }: { workflow: Workflow; onChanged: () => void }) {
  const api = useClient();
  const action = useAction();
  const allowed = TRANSITIONS[workflow.status];
  const path = { id: workflow.id, version: workflow.version };
  const call = (move: Transition) => {
    if (move === 'activate') return api.post('/api/v3/workflows/{id}/versions/{version}/activate', { params: { path } });
    if (move === 'deprecate') return api.post('/api/v3/workflows/{id}/versions/{version}/deprecate', { params: { path } });
    return api.post('/api/v3/workflows/{id}/versions/{version}/archive', { params: { path } });
  };
  return (
    <div class="stack">
      <div class="row" role="group" aria-label="Lifecycle">
        {(Object.keys(LABELS) as Transition[]).map((move) => (
          <button
            key={move}
            type="button"
            class={move === 'archive' ? 'danger' : move === 'deprecate' ? 'secondary' : undefined}
            disabled={!allowed.includes(move) || action.busy !== null}
            onClick={async () => {
              if (await action.run(move, () => call(move))) onChanged();
            }}
          >
            {action.busy === move ? `${LABELS[move]}…` : LABELS[move]}
          </button>
        ))}
      </div>
      {allowed.length === 0 && <p class="muted small">Archived is final.</p>}
      {action.error !== undefined && <ProblemView error={action.error} />}
    </div>
  );
}

/** Starts an execution of this version with JSON inputs, then opens it. */
export function StartExecutionForm({ workflow }: { workflow: Workflow }) {
  const api = useClient();
  const { route } = useLocation();
  const action = useAction();
  const [inputs, setInputs] = useState('{}');
  const [invalid, setInvalid] = useState<string | null>(null);
  const active = workflow.status === 'active';
  return (
    <form
      class="stack"
      aria-label="Start an execution"
      onSubmit={async (event) => {
        event.preventDefault();
        const parsed = parseJson(inputs);
        if (!parsed.ok || parsed.value === null || typeof parsed.value !== 'object' || Array.isArray(parsed.value)) {
          setInvalid(parsed.ok ? 'The inputs must be a JSON object, e.g. {"ticket": 42}.' : `The inputs are not valid JSON: ${parsed.message}`);
          return;
        }
        setInvalid(null);
        await action.run('start', async () => {
          const execution = await api.post('/api/v3/workflows/{id}/executions', {
            params: { path: { id: workflow.id } },
            body: { version: workflow.version, inputs: parsed.value as Record<string, unknown> },
          });
          route(uiPath(`/executions/${execution.id}`));
        });
      }}
    >
      <label>
        Inputs (JSON object)
        <textarea
          value={inputs}
          aria-invalid={invalid ? 'true' : undefined}
          aria-describedby={invalid ? 'start-inputs-error' : undefined}
          onInput={(e) => {
            setInputs(e.currentTarget.value);
            setInvalid(null);
          }}
        />
      </label>
      {invalid && (
        <p id="start-inputs-error" class="field-error" role="alert">
          {invalid}
        </p>
      )}
      <div class="row">
        <button type="submit" disabled={action.busy !== null}>
          {action.busy ? 'Starting…' : 'Start execution'}
        </button>
        {!active && <span class="muted small">Only active versions start executions: this one is {workflow.status}.</span>}
      </div>
      {action.error !== undefined && <ProblemView error={action.error} />}
    </form>
  );
}
