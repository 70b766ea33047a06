import type { ComponentChildren } from 'preact';
import type { ApiState } from '../use-api';
import { Loading } from './loading';
import { ProblemView } from './problem-view';

/**
 * The three plain states of a useApi() result: Loading until the first answer, the ProblemView
 * of a failure (with "Try again"), else `children(data)`. A failed reload keeps showing the data
 * under the problem.
 */
export function ApiView<T>({ state, children }: { state: ApiState<T>; children: (data: T) => ComponentChildren }) {
  if (state.data === undefined) {
    if (state.error !== undefined) return <ProblemView error={state.error} onRetry={state.reload} />;
    return <Loading />;
  }
  return (
    <>
      {state.error !== undefined && <ProblemView error={state.error} onRetry={state.reload} />}
      {children(state.data)}
    </>
  );
}
