import {
  WorkflowActivated,
  WorkflowArchived,
  WorkflowDeleted,
  WorkflowDeprecated,
  WorkflowUpdated,
} from '../contracts';
import type { WorkflowStatus, WORKFLOW_EVENTS } from '../contracts';
import { errorOf, workflowInput as input, stepTypes, t0, t1, workflowIn } from '@cognition/test-support/mothers/workflow.mother';
import { Workflow } from './workflow.aggregate';

describe('Workflow lifecycle', () => {
  const allowed: [WorkflowStatus, 'activate' | 'deprecate' | 'archive', WorkflowStatus, (typeof WORKFLOW_EVENTS)[number]][] = [
    ['draft', 'activate', 'active', WorkflowActivated],
    ['draft', 'archive', 'archived', WorkflowArchived],
    ['active', 'deprecate', 'deprecated', WorkflowDeprecated],
    ['active', 'archive', 'archived', WorkflowArchived],
    ['deprecated', 'archive', 'archived', WorkflowArchived],
  ];

  it.each(allowed)('%s --%s--> %s', (from, action, to, eventClass) => {
    const workflow = workflowIn(from);
    workflow[action](t1);
    expect(workflow.status).toBe(to);
    expect(workflow.updatedAt).toEqual(t1);
    const [event] = workflow.pullEvents();
    expect(event).toBeInstanceOf(eventClass);
    expect(event.payload).toMatchObject({ status: to, previousStatus: from, schedule: null });
  });

  const refused: [WorkflowStatus, 'activate' | 'deprecate' | 'archive'][] = [
    ['draft', 'deprecate'],
    ['active', 'activate'],
    ['deprecated', 'activate'],
    ['deprecated', 'deprecate'],
    ['archived', 'activate'],
    ['archived', 'deprecate'],
    ['archived', 'archive'],
  ];

  it.each(refused)('refuses %s --%s', (from, action) => {
    const workflow = workflowIn(from);
    const error = errorOf(() => workflow[action](t1));
    expect(error.code).toBe('WORKFLOW_INVALID_TRANSITION');
    expect(error.message).toContain(`from ${from} to`);
    expect(workflow.status).toBe(from);
    expect(workflow.pullEvents()).toEqual([]);
  });

  it('carries the schedule on activation so the scheduler needs no read', () => {
    const workflow = Workflow.create(input({ schedule: { cron: '*/15 * * * *', timezone: 'Europe/Berlin' } }), stepTypes, t0);
    workflow.pullEvents();
    workflow.activate(t1);
    expect(workflow.pullEvents()[0].payload).toMatchObject({ schedule: { cron: '*/15 * * * *', timezone: 'Europe/Berlin' } });
    expect(workflow.canStartExecutions()).toBe(true);
  });
});

describe('Workflow drafts', () => {
  it('updates a draft in place, re-validating and recording WorkflowUpdated', () => {
    const workflow = workflowIn('draft');
    workflow.updateDraft({ name: 'Renamed', steps: [{ id: 'only', type: 'delay', params: { seconds: 5 } }] }, stepTypes, t1);
    expect(workflow.toSnapshot()).toMatchObject({ name: 'Renamed', updatedAt: t1, createdAt: t0 });
    expect(workflow.steps.map((s) => s.id)).toEqual(['only']);
    const [event] = workflow.pullEvents();
    expect(event).toBeInstanceOf(WorkflowUpdated);
    expect(event.payload).toMatchObject({ name: 'Renamed', stepCount: 1 });
  });

  it('keeps the draft unchanged when the update is invalid', () => {
    const workflow = workflowIn('draft');
    const error = errorOf(() => workflow.updateDraft({ name: 'X', steps: [{ id: 'a', type: 'nope' }] }, stepTypes, t1));
    expect(error.code).toBe('WORKFLOW_INVALID_DAG');
    expect(workflow.name).toBe('Daily report');
    expect(workflow.pullEvents()).toEqual([]);
  });

  it.each(['active', 'deprecated', 'archived'] as const)('refuses to edit or delete a %s version', (status) => {
    const workflow = workflowIn(status);
    const edit = errorOf(() => workflow.updateDraft({ name: 'X', steps: [{ id: 'a', type: 'delay' }] }, stepTypes, t1));
    expect(edit.code).toBe('WORKFLOW_NOT_DRAFT');
    expect(edit.message).toContain(`its status is ${status}`);
    expect(errorOf(() => workflow.markDeleted(t1)).code).toBe('WORKFLOW_NOT_DRAFT');
  });

  it('marks a draft deleted with WorkflowDeleted', () => {
    const workflow = workflowIn('draft');
    workflow.markDeleted(t1);
    const [event] = workflow.pullEvents();
    expect(event).toBeInstanceOf(WorkflowDeleted);
    expect(event.aggregateId).toBe('daily-report@1.0.0');
  });
});
