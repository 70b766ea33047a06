import { EventEnvelope } from '../event-envelope';
import { routingKeyOf, routingToken, toBrokerMessage } from './broker-message';

const envelope: EventEnvelope = {
  id: '0194f0a0-0000-7000-8000-000000000001',
  position: '42',
  tenantId: '0194f0a0-0000-7000-8000-00000000000a',
  type: 'StepExecutionCompleted',
  aggregateType: 'WorkflowExecution',
  aggregateId: '0194f0a0-0000-7000-8000-0000000000e1',
  payload: { output: 'x'.repeat(100) },
  occurredAt: '2026-01-01T00:00:00.000Z',
  correlationId: null,
};

describe('broker messages', () => {
  it('routes by <tenantId>.<aggregateType>.<type> and keys per-aggregate order by tenant, aggregate type and id', () => {
    const m = toBrokerMessage(envelope, 1_000_000);
    expect(m.routingKey).toBe(`${envelope.tenantId}.WorkflowExecution.StepExecutionCompleted`);
    expect(m.id).toBe(envelope.id);
    expect(m.aggregateKey).toBe(`${envelope.tenantId}/WorkflowExecution/${envelope.aggregateId}`);
    expect(JSON.parse(m.body.toString('utf8'))).toEqual(envelope);
    expect(m.payloadOmitted).toBe(false);
  });

  it('turns characters that would split or wildcard a subject or routing key into _', () => {
    expect(routingToken('a.b*c>d e#f')).toBe('a_b_c_d_e_f');
    expect(routingToken('')).toBe('_');
    expect(routingKeyOf({ tenantId: 't', aggregateType: 'My.Aggregate', type: 'Thing Happened' })).toBe('t.My_Aggregate.Thing_Happened');
  });

  it('leaves the payload out of an envelope over the limit, and says so in the body', () => {
    const m = toBrokerMessage(envelope, 300);
    expect(m.payloadOmitted).toBe(true);
    expect(m.body.length).toBeLessThanOrEqual(400);
    expect(JSON.parse(m.body.toString('utf8'))).toEqual({ ...envelope, payload: null, payloadOmitted: true });
  });
});
