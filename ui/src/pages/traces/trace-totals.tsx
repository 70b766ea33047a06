import { formatDuration } from '../../format';
import { formatCost, formatCount } from './obs-format';
import { totalsByModel, type TraceTree } from './waterfall-model';

/** The totals line of a trace (duration, tokens, cost, calls) and the tokens and cost per model. */
export function TraceTotals({ tree, liveDurationMs }: { tree: TraceTree; liveDurationMs: number | null }) {
  const t = tree.totals;
  const models = totalsByModel(tree);
  const duration = t.durationMs ?? liveDurationMs;
  return (
    <section class="trace-totals" aria-label="Totals">
      <dl class="totals-line">
        <div>
          <dt>Duration</dt>
          <dd>{formatDuration(duration)}{t.durationMs === null && liveDurationMs !== null ? ' so far' : ''}</dd>
        </div>
        <div>
          <dt>Tokens</dt>
          <dd>
            {formatCount(t.tokensIn)} in / {formatCount(t.tokensOut)} out
          </dd>
        </div>
        <div>
          <dt>Cost</dt>
          <dd>{formatCost(t.costUsd)}</dd>
        </div>
        <div>
          <dt>Model calls</dt>
          <dd>{formatCount(t.modelCalls)}</dd>
        </div>
        <div>
          <dt>Tool calls</dt>
          <dd>{formatCount(t.toolCalls)}</dd>
        </div>
      </dl>
      {models.length > 0 && (
        <div class="table-wrap" role="region" aria-label="Cost by model" tabIndex={0}>
          <table>
            <caption class="visually-hidden">Tokens and cost by model</caption>
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col" class="num">Calls</th>
                <th scope="col" class="num">Tokens in</th>
                <th scope="col" class="num">Tokens out</th>
                <th scope="col" class="num">Cost</th>
              </tr>
            </thead>
            <tbody>
              {models.map((m) => (
                <tr key={m.model}>
                  <td>{m.model}</td>
                  <td class="num">{formatCount(m.calls)}</td>
                  <td class="num">{formatCount(m.tokensIn)}</td>
                  <td class="num">{formatCount(m.tokensOut)}</td>
                  <td class="num">{formatCost(m.costUsd)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
