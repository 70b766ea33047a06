export * from './agent.types';
export * from './agent.events';
export * from './agent.commands';
export * from './agent.queries';
export * from './agent-tool';
