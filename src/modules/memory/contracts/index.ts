export * from './memory.types';
export * from './memory.events';
export * from './memory.commands';
export * from './memory.queries';
