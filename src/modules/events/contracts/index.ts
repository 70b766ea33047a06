export * from './events.types';
export * from './events.queries';
export * from './events.commands';
