import { Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { StepTypeCatalog } from '../../../platform/step-types/step-type-catalog';
import { STEP_TYPE, StepHandler } from '../contracts';

/**
 * Every provider marked @StepType(name) in the application, found at start with Nest's
 * DiscoveryService: the engine's built-ins and whatever an importing application registers.
 */
@Injectable()
export class StepHandlers implements OnModuleInit {
  private readonly handlers = new Map<string, StepHandler>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly catalog: StepTypeCatalog,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const type = wrapper.metatype ? (Reflect.getMetadata(STEP_TYPE, wrapper.metatype) as string | undefined) : undefined;
      if (!type || !wrapper.instance) continue;
      if (this.handlers.has(type)) throw new Error(`Two providers are registered for step type "${type}"`);
      this.handlers.set(type, wrapper.instance as StepHandler);
      this.catalog.add(type);
    }
  }

  get(type: string): StepHandler | undefined {
    return this.handlers.get(type);
  }

  names(): string[] {
    return [...this.handlers.keys()].sort();
  }
}
