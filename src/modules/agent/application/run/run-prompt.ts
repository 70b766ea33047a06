import { ErrorDetail } from '@cognition/platform/domain';
import { renderTemplate } from '@cognition/platform/expressions';
import { validateValue } from '@cognition/platform/json-schema/json-schema';
import type { AgentView } from '../../contracts';
import type { TaskView } from '@cognition/task/contracts';

/** The system prompt: the definition's template rendered with `task` and `agent`. */
export function systemPrompt(agent: AgentView, task: TaskView): string {
  const rendered = renderTemplate(agent.systemPromptTemplate, {
    task: { id: task.id, name: task.name, description: task.description, input: task.input, priority: task.priority, attempt: task.attempt },
    agent: { id: agent.id, name: agent.name, role: agent.role, capabilities: agent.capabilities, tools: agent.tools },
  });
  return typeof rendered === 'string' ? rendered : JSON.stringify(rendered);
}

/** The first user message: what to do, the input, and the shape of the answer when one is required. */
export function taskPrompt(task: TaskView): string {
  const parts = [task.description?.trim() || task.name];
  if (task.input !== null && task.input !== undefined) parts.push(`Input:\n${typeof task.input === 'string' ? task.input : JSON.stringify(task.input, null, 2)}`);
  if (task.outputSchema) parts.push(`Answer with only a JSON value matching this JSON Schema:\n${JSON.stringify(task.outputSchema)}`);
  return parts.join('\n\n');
}

export type ParsedAnswer = { ok: true; output: unknown } | { ok: false; problems: ErrorDetail[] };

/**
 * The task's output from the model's final text. Without an outputSchema it is `{text}`; with one,
 * the text must be JSON (a ```json fence is accepted) that the schema accepts.
 */
export function parseAnswer(content: string, outputSchema: Record<string, unknown> | null): ParsedAnswer {
  if (!outputSchema) return { ok: true, output: { text: content } };
  let value: unknown;
  try {
    value = JSON.parse(unfence(content));
  } catch {
    return { ok: false, problems: [{ path: 'output', code: 'NOT_JSON', message: 'the answer is not valid JSON' }] };
  }
  const problems = validateValue(outputSchema, value, 'output');
  return problems.length ? { ok: false, problems } : { ok: true, output: value };
}

/** The follow-up that asks the model once more after a validation failure. */
export function repairPrompt(problems: ErrorDetail[]): string {
  const list = problems.map((p) => `- ${p.path ?? 'output'}: ${p.message}`).join('\n');
  return `Your answer did not match the required JSON Schema:\n${list}\nReply again with only the corrected JSON.`;
}

function unfence(text: string): string {
  const fenced = /^\s*```(?:json)?\s*\n([\s\S]*?)\n?```\s*$/i.exec(text);
  return (fenced ? fenced[1] : text).trim();
}
