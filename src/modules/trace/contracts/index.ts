export * from './trace.types';
export * from './trace.queries';
