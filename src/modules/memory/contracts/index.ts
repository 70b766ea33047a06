export * from './memory.types';
export * from './memory.events';
export * from './memory.commands';
export * from './memory.queries';
export * from './memory-collection.commands';
export * from './memory-collection.queries';
export * from './memory-policy.commands';
export * from './memory-policy.queries';
