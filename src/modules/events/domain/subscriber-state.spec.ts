import { subscriberStateOf } from './subscriber-state';

describe('the state of a subscriber', () => {
  it('is stopped, retrying, catching-up or caught-up, in that precedence', () => {
    expect(subscriberStateOf({ served: false, retrying: true, lag: 5 })).toBe('stopped');
    expect(subscriberStateOf({ served: true, retrying: true, lag: 0 })).toBe('retrying');
    expect(subscriberStateOf({ served: true, retrying: false, lag: 3 })).toBe('catching-up');
    expect(subscriberStateOf({ served: true, retrying: false, lag: 0 })).toBe('caught-up');
  });
});
