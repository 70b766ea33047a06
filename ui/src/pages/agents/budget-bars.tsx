import type { components } from '@client';
import { formatCost, formatCount } from '../traces/obs-format';

type Limits = components['schemas']['BudgetResponseDto'];
type Usage = components['schemas']['BudgetUsageResponseDto'];

interface Dimension {
  key: string;
  label: string;
  used: number;
  limit: number;
  format: (n: number) => string;
  unit: string;
}

const seconds = (n: number) => `${Number(n.toFixed(1)).toLocaleString('en-US')} s`;

/** The four budgets of an agent, used vs limit (AgentResponseDto.budgetUsage and .budgetLimits). */
export function budgetDimensions(limits: Limits, usage: Usage): Dimension[] {
  return [
    { key: 'tokens', label: 'Tokens', used: usage.tokensUsed, limit: limits.maxTokens, format: formatCount, unit: 'tokens' },
    { key: 'cost', label: 'Cost', used: usage.costUsd, limit: limits.maxCostUsd, format: formatCost, unit: 'USD' },
    { key: 'time', label: 'Time', used: usage.timeSeconds, limit: limits.maxTimeSeconds, format: seconds, unit: 'seconds' },
    { key: 'tools', label: 'Tool calls', used: usage.toolExecutions, limit: limits.maxToolExecutions, format: formatCount, unit: 'tool calls' },
  ];
}

/** ≥ 100 % bad, ≥ 80 % (the API's warning threshold) waiting, else ok. */
function tone(ratio: number): string {
  if (ratio >= 1) return 'bad';
  if (ratio >= 0.8) return 'waiting';
  return 'ok';
}

/** One bar per budget (tokens, cost, time, tool calls): a meter with "used / limit" as text. */
export function BudgetBars({ limits, usage, name }: { limits: Limits; usage: Usage; name: string }) {
  return (
    <ul class="budget-bars" aria-label={`Budget of ${name}`}>
      {budgetDimensions(limits, usage).map((d) => {
        const ratio = d.limit > 0 ? d.used / d.limit : 0;
        const percent = Math.min(100, Math.max(0, ratio * 100));
        const text = `${d.format(d.used)} / ${d.format(d.limit)}`;
        return (
          <li key={d.key} class="budget" data-budget={d.key}>
            <span class="budget-label">{d.label}</span>
            <span class="budget-value">{text}</span>
            <span
              class="budget-track"
              role="meter"
              aria-label={`${d.label} used`}
              aria-valuemin={0}
              aria-valuemax={d.limit}
              aria-valuenow={Math.min(d.used, d.limit)}
              aria-valuetext={`${text} ${d.unit} (${Math.round(ratio * 100)}%)`}
            >
              <span class={`budget-fill tone-${tone(ratio)}`} style={{ width: `${percent}%` }} />
            </span>
          </li>
        );
      })}
    </ul>
  );
}
