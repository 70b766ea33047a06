export * from './workflow.events';
export * from './workflow.types';
