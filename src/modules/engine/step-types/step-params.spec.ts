import { StepTypeCatalog } from '@cognition/platform/step-types/step-type-catalog';
import { AGENT_TASK_PARAMS } from './agent-task.step-type';
import { DELAY_PARAMS } from './delay.step-type';
import { HTTP_REQUEST_PARAMS } from './http-request/http-request.params-schema';
import { SUB_WORKFLOW_PARAMS } from './sub-workflow.step-type';
import { TRANSFORM_PARAMS } from './transform.step-type';
import { WAIT_FOR_SIGNAL_PARAMS } from './wait-for-signal.step-type';

const catalog = new StepTypeCatalog();
catalog.add('transform', TRANSFORM_PARAMS);
catalog.add('delay', DELAY_PARAMS);
catalog.add('http_request', HTTP_REQUEST_PARAMS);
catalog.add('sub_workflow', SUB_WORKFLOW_PARAMS);
catalog.add('wait_for_signal', WAIT_FOR_SIGNAL_PARAMS);
catalog.add('agent_task', AGENT_TASK_PARAMS);

type Case = [string, Record<string, unknown>];

describe('built-in step params schemas', () => {
  it.each<Case>([
    ['transform', {}],
    ['transform', { output: { any: ['json', 1, null] } }],
    ['transform', { output: 'hello ${{ item }}' }],
    ['delay', { seconds: 0 }],
    ['delay', { until: '2030-01-01T00:00:00Z' }],
    ['delay', { seconds: '${{ inputs.wait }}' }],
    ['http_request', { url: 'https://api.example.com/x' }],
    ['http_request', { method: 'post', url: 'HTTP://h/${{ inputs.id }}', headers: { 'x-n': 1, auth: '${{ inputs.token }}' }, query: { a: [1, 'b'], c: null }, body: { text: 'x' }, timeoutMs: 1000, expectStatus: [200, 404] }],
    ['http_request', { url: '${{ inputs.url }}', expectStatus: '${{ inputs.statuses }}' }],
    ['sub_workflow', { workflowId: 'child', version: '1.2.3', inputs: { a: 1 } }],
    ['sub_workflow', { workflowId: '${{ inputs.child }}', version: null, inputs: '${{ inputs }}' }],
    ['wait_for_signal', { signal: 'approved', timeoutSeconds: 60 }],
    ['wait_for_signal', { signal: 'approve:${{ inputs.id }}' }],
    ['agent_task', { instructions: 'Summarize the ticket', input: '${{ steps.fetch.output.body }}' }],
    ['agent_task', { instructions: 'x', input: { a: 1 }, capabilities: ['writing'], outputSchema: { type: 'object' }, name: 'n', agent: 'writer', priority: 'high', maxAttempts: 2, timeoutSeconds: 30 }],
    ['agent_task', { instructions: 'x', capabilities: ['${{ inputs.skill }}'], priority: '${{ inputs.priority }}' }],
  ])('%s accepts %j', (type, params) => {
    expect(catalog.validateParams(type, params)).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, { pointer: string; message: unknown }[]]>([
    ['transform', { outptu: 1 }, [{ pointer: '/outptu', message: 'is not a known param' }]],
    ['delay', {}, [{ pointer: '', message: 'needs `seconds` or `until`' }]],
    ['delay', { seconds: -1 }, [{ pointer: '/seconds', message: 'must be >= 0' }]],
    ['delay', { until: 'tomorrow' }, [{ pointer: '/until', message: 'must match format "date-time"' }]],
    ['http_request', { method: 'FETCH' }, [{ pointer: '/url', message: 'is required' }, { pointer: '/method', message: expect.stringContaining('allowed values') }]],
    ['http_request', { url: 'ftp://h', headers: { a: { b: 1 } } }, [{ pointer: '/url', message: expect.stringContaining('must match pattern') }, { pointer: '/headers/a', message: 'must be string' }]],
    ['http_request', { url: 'https://h', timeoutMs: 300_001, expectStatus: [] }, [{ pointer: '/timeoutMs', message: 'must be <= 300000' }, { pointer: '/expectStatus', message: 'must NOT have fewer than 1 items' }]],
    ['http_request', { url: 'https://h', expectStatus: [99], query: { a: { b: 1 } } }, [{ pointer: '/query/a', message: 'must be string' }, { pointer: '/expectStatus/0', message: 'must be >= 100' }]],
    ['sub_workflow', { version: 2, inputs: [] }, [{ pointer: '/workflowId', message: 'is required' }, { pointer: '/version', message: 'must be string' }, { pointer: '/inputs', message: 'must be object' }]],
    ['wait_for_signal', { timeoutSeconds: 0 }, [{ pointer: '/signal', message: 'is required' }, { pointer: '/timeoutSeconds', message: 'must be > 0' }]],
    ['agent_task', { prompt: 'old', role: 'critic' }, [{ pointer: '/instructions', message: 'is required' }, { pointer: '/prompt', message: 'is not a known param' }, { pointer: '/role', message: 'is not a known param' }]],
    ['agent_task', { instructions: '', capabilities: 'writing', outputSchema: 'x', maxAttempts: 0, priority: 'urgent' }, [
      { pointer: '/instructions', message: 'must NOT have fewer than 1 characters' },
      { pointer: '/capabilities', message: 'must be array' },
      { pointer: '/outputSchema', message: 'must be object' },
      { pointer: '/priority', message: expect.stringContaining('"critical", "high", "medium", "low"') },
      { pointer: '/maxAttempts', message: 'must be >= 1' },
    ]],
  ])('%s refuses %j', (type, params, problems) => {
    expect(catalog.validateParams(type, params)).toEqual(problems);
  });
});
