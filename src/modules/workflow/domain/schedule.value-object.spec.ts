import { cronExpressionProblems } from './cron-expression';
import { ProblemList } from './problem-list';
import { Schedule } from './schedule.value-object';

describe('cronExpressionProblems', () => {
  it.each([
    '* * * * *',
    '*/5 * * * *',
    '0 9-17 * * MON-FRI',
    '0 0 1,15 * *',
    '30 2 * jan,Jul sun',
    '0 0 * * 7',
    '5/10 0-23/2 1-31 1-12 0-6',
  ])('accepts %j', (cron) => {
    expect(cronExpressionProblems(cron)).toEqual([]);
  });

  it.each([
    ['* * * *', /5 fields/],
    ['* * * * * *', /5 fields/],
    ['60 * * * *', /minute value 60 is out of range 0-59/],
    ['* 24 * * *', /hour value 24/],
    ['* * 0 * *', /day of month value 0/],
    ['* * * 13 *', /month value 13/],
    ['* * * * 8', /day of week value 8/],
    ['*/0 * * * *', /step "0"/],
    ['* * * * MON-SUNDAY', /invalid value "SUNDAY"/],
    ['5-1 * * * *', /starts after it ends/],
    ['* * ? * *', /invalid value "\?"/],
    ['0 0 L * *', /invalid value "L"/],
    ['1,,2 * * * *', /empty list item/],
  ])('refuses %j', (cron, message) => {
    expect(cronExpressionProblems(cron)).toEqual([expect.stringMatching(message)]);
  });
});

describe('Schedule', () => {
  it('defaults the time zone to UTC and canonicalises given zones', () => {
    const problems = new ProblemList();
    expect(Schedule.fromInput({ cron: '0  9 * * *' }, 'schedule', problems)?.toDefinition()).toEqual({
      cron: '0 9 * * *',
      timezone: 'UTC',
    });
    expect(Schedule.fromInput({ cron: '0 9 * * *', timezone: 'Europe/Paris' }, 'schedule', problems)?.timezone).toBe(
      'Europe/Paris',
    );
    expect(problems.size).toBe(0);
  });

  it('reports a bad cron and an unknown time zone together', () => {
    const problems = new ProblemList();
    expect(Schedule.fromInput({ cron: '61 * * * *', timezone: 'Mars/Olympus' }, 'schedule', problems)).toBeNull();
    expect(problems.toArray()).toEqual([
      { path: 'schedule.cron', code: 'INVALID_CRON', message: expect.stringContaining('out of range') },
      { path: 'schedule.timezone', code: 'INVALID_TIMEZONE', message: expect.stringContaining('Mars/Olympus') },
    ]);
  });

  it('treats null as no schedule and refuses other shapes', () => {
    const problems = new ProblemList();
    expect(Schedule.fromInput(null, 'schedule', problems)).toBeNull();
    expect(problems.size).toBe(0);
    Schedule.fromInput('0 * * * *', 'schedule', problems);
    Schedule.fromInput({}, 'schedule', problems);
    expect(problems.toArray().map((p) => [p.path, p.code])).toEqual([
      ['schedule', 'INVALID_TYPE'],
      ['schedule.cron', 'REQUIRED'],
    ]);
  });
});
