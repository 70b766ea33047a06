export * from './step-handler';
export * from './step-type.decorator';
