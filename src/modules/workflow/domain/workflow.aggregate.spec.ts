import { WorkflowCreated } from '../contracts';
import { errorOf, workflowInput as input, stepTypes, t0, t1, workflowIn } from '@cognition/test-support/mothers/workflow.mother';
import { Workflow, type CreateWorkflowInput } from './workflow.aggregate';

describe('Workflow.create', () => {
  it('creates a draft with defaults filled and records WorkflowCreated', () => {
    const workflow = Workflow.create(input({ schedule: { cron: '0 6 * * *' }, tags: ['ops'] }), stepTypes, t0);
    const snapshot = workflow.toSnapshot();
    expect(snapshot).toMatchObject({
      tenantId: 'tenant-1',
      workflowId: 'daily-report',
      version: '1.0.0',
      status: 'draft',
      description: null,
      schedule: { cron: '0 6 * * *', timezone: 'UTC' },
      tags: ['ops'],
      inputSchema: null,
      outputs: null,
      createdBy: 'key-1',
      createdAt: t0,
      updatedAt: t0,
      revision: 0,
    });
    expect(snapshot.steps[1]).toEqual({
      id: 'summarize',
      type: 'transform',
      name: 'summarize',
      params: { output: '${{ steps.fetch.output.body }}' },
      dependsOn: ['fetch'],
      timeoutSeconds: 300,
      retry: { maxAttempts: 1, backoff: 'exponential', initialDelayMs: 1000, maxDelayMs: 60000, jitter: true },
      condition: null,
      forEach: null,
      agentRole: null,
      concurrencyKey: null,
    });
    const [event] = workflow.pullEvents();
    expect(event).toBeInstanceOf(WorkflowCreated);
    expect(event).toMatchObject({
      tenantId: 'tenant-1',
      aggregateId: 'daily-report@1.0.0',
      aggregateType: 'Workflow',
      type: 'WorkflowCreated',
      occurredAt: t0,
      payload: { workflowId: 'daily-report', version: '1.0.0', name: 'Daily report', status: 'draft', stepCount: 2 },
    });
  });

  it('lists every DAG problem at once under WORKFLOW_INVALID_DAG', () => {
    const error = errorOf(() =>
      Workflow.create(
        input({
          steps: [
            { id: 'a', type: 'transform' },
            { id: 'a', type: 'transform' },
            { id: 'b', type: 'transform', dependsOn: ['ghost', 'c'] },
            { id: 'c', type: 'transform', dependsOn: ['b'], params: { x: '${{ inputs.y + }}' } },
            { id: 'd', type: 'teleport' },
          ],
        }),
        stepTypes,
        t0,
      ),
    );
    expect(error.code).toBe('WORKFLOW_INVALID_DAG');
    expect(error.errors?.map((e) => [e.path, e.code])).toEqual([
      ['steps[1].id', 'DUPLICATE_STEP_ID'],
      ['steps[2].dependsOn[0]', 'UNKNOWN_DEPENDENCY'],
      ['steps[4].type', 'UNKNOWN_STEP_TYPE'],
      ['steps[2].dependsOn', 'DEPENDENCY_CYCLE'],
      ['steps[3].params.x', 'INVALID_EXPRESSION'],
    ]);
    expect(error.message).toMatch(/^The workflow definition has 5 problems: steps\[1\]\.id: .* \(and 4 more\)$/);
  });

  it('uses VALIDATION_FAILED when only fields are wrong, listing all of them', () => {
    const error = errorOf(() =>
      Workflow.create(
        input({
          workflowId: 'Bad Id',
          version: '1.0',
          name: '',
          tags: ['x', 'x'],
          schedule: { cron: '* * *', timezone: 'Nowhere/City' },
          inputSchema: { type: 'objekt' },
          steps: [{ id: 'fetch-page', type: 'transform', timeoutSeconds: 0, retry: { maxAttempts: 500 } }],
        }),
        stepTypes,
        t0,
      ),
    );
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.errors?.map((e) => e.path)).toEqual([
      'workflowId',
      'version',
      'name',
      'steps[0].id',
      'steps[0].timeoutSeconds',
      'steps[0].retry.maxAttempts',
      'schedule.cron',
      'schedule.timezone',
      'tags[1]',
      'inputSchema',
    ]);
    expect(error.errors?.at(-1)?.message).toMatch(/^type must be equal to one of the allowed values \(array, boolean/);
  });

  it('uses WORKFLOW_INVALID_DAG when field and DAG problems are mixed', () => {
    const error = errorOf(() => Workflow.create(input({ name: '', steps: [] }), stepTypes, t0));
    expect(error.code).toBe('WORKFLOW_INVALID_DAG');
    expect(error.errors?.map((e) => e.code)).toEqual(['REQUIRED', 'NO_STEPS']);
  });

  it('survives input of the wrong shape without throwing anything but a DomainError', () => {
    const error = errorOf(() =>
      Workflow.create({ tenantId: 't', steps: 'nope', tags: 'x', outputs: [1] } as unknown as CreateWorkflowInput, stepTypes, t0),
    );
    expect(error.errors?.map((e) => [e.path, e.code])).toEqual([
      ['workflowId', 'REQUIRED'],
      ['version', 'REQUIRED'],
      ['name', 'REQUIRED'],
      ['steps', 'INVALID_TYPE'],
      ['tags', 'INVALID_TYPE'],
      ['outputs', 'INVALID_TYPE'],
    ]);
  });

  it('accepts request DTO class instances for the workflow, steps, retry and schedule', () => {
    class RetryDto {
      maxAttempts = 3;
    }
    class StepDto {
      id = 'a';
      type = 'transform';
      retry = new RetryDto();
    }
    class ScheduleDto {
      cron = '0 * * * *';
    }
    const workflow = Workflow.create(input({ steps: [new StepDto()], schedule: new ScheduleDto() }), stepTypes, t0);
    expect(workflow.toSnapshot().steps[0].retry.maxAttempts).toBe(3);
    expect(workflow.toSnapshot().schedule).toEqual({ cron: '0 * * * *', timezone: 'UTC' });
  });

  it('accepts a valid input schema and outputs that reference any step', () => {
    const workflow = Workflow.create(
      input({
        inputSchema: { type: 'object', properties: { day: { type: 'string', format: 'date' } }, required: ['day'] },
        outputs: { report: '${{ steps.summarize.output }}', raw: '${{ steps.fetch.output }}' },
      }),
      stepTypes,
      t0,
    );
    expect(workflow.toSnapshot().outputs).toEqual({
      report: '${{ steps.summarize.output }}',
      raw: '${{ steps.fetch.output }}',
    });
  });
});

describe('Workflow snapshots', () => {
  it('round-trips through restore without recording events', () => {
    const original = Workflow.create(
      input({ tags: ['a', 'b'], outputs: { o: '${{ steps.fetch.output }}' }, inputSchema: { type: 'object' } }),
      stepTypes,
      t0,
    );
    original.activate(t1);
    original.markPersisted(3);
    const snapshot = JSON.parse(JSON.stringify(original.toSnapshot()));
    const restored = Workflow.restore(snapshot);
    expect(restored.peekEvents()).toEqual([]);
    expect(restored.toSnapshot()).toEqual(original.toSnapshot());
    expect(restored.revision).toBe(3);
  });

  it('returns copies that cannot change the aggregate', () => {
    const workflow = workflowIn('draft');
    const snapshot = workflow.toSnapshot();
    snapshot.steps[0].params.url = 'changed';
    snapshot.tags.push('x');
    expect(workflow.toSnapshot().steps[0].params.url).toBe('https://example.com/${{ inputs.day }}');
    expect(workflow.toSnapshot().tags).toEqual([]);
  });

  it('analyzes its DAG', () => {
    expect(workflowIn('draft').analyze()).toEqual({
      topologicalOrder: ['fetch', 'summarize'],
      levels: [['fetch'], ['summarize']],
      criticalPath: ['fetch', 'summarize'],
      maxParallelism: 1,
    });
  });
});
