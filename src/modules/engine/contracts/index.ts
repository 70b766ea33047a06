export * from './step-handler';
export * from './step-type.decorator';
export * from './execution.events';
export * from './execution.types';
export * from './execution.commands';
export * from './execution.queries';
