import type { DomainEvent, DomainEventClass } from '@cognition/platform/domain';
import { AGENT_SPAN_PROJECTORS } from './projections/agent-spans.projection';
import { EXECUTION_SPAN_PROJECTORS } from './projections/execution-spans.projection';
import type { SpanProjector } from './projections/span-projector';
import { TASK_SPAN_PROJECTORS } from './projections/task-spans.projection';
import type { SpanRef, SpanWrite } from './span-write';

const PROJECTORS: SpanProjector<any>[] = [...EXECUTION_SPAN_PROJECTORS, ...TASK_SPAN_PROJECTORS, ...AGENT_SPAN_PROJECTORS];
const BY_TYPE = new Map(PROJECTORS.map((p) => [p.event.name, p]));

/** Every event class that writes spans (the durable subscriber's list). */
export const TRACED_EVENTS: DomainEventClass[] = PROJECTORS.map((p) => p.event);

const isId = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= 255;
const validRef = (r: SpanRef | undefined): r is SpanRef => r !== undefined && isId(r.entityId);

/**
 * The span writes an event implies (none for events that are not traced). A write whose entity
 * id is missing is dropped (a malformed payload must not stop the subscriber); so is a parent
 * without an id.
 */
export function projectSpans(event: DomainEvent<any>): SpanWrite[] {
  const projector = BY_TYPE.get(event.type);
  if (!projector) return [];
  return projector
    .project(event)
    .filter((w) => validRef(w))
    .map((w) => ({ ...w, name: typeof w.name === 'string' && w.name ? w.name : w.entityId, parent: validRef(w.parent) ? w.parent : undefined }));
}
