import { Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { StepTypeCatalog } from '@cognition/platform/step-types/step-type-catalog';
import { STEP_TYPE, STEP_TYPE_OPTIONS, StepHandler, StepTypeOptions } from '../contracts';

/**
 * Every provider marked @StepType(name) in the application, found with Nest's DiscoveryService: the
 * engine's built-ins and whatever an importing application registers.
 *
 * Names and params schemas are read from the classes' metadata as soon as this provider is built
 * (every module is scanned by then), so the catalog is complete before the OpenAPI document is made;
 * the handler instances are bound at module init.
 */
@Injectable()
export class StepHandlers implements OnModuleInit {
  private readonly handlers = new Map<string, StepHandler>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly catalog: StepTypeCatalog,
  ) {
    const seen = new Set<string>();
    for (const { type, metatype } of this.stepTypes()) {
      if (seen.has(type)) throw new Error(`Two providers are registered for step type "${type}"`);
      seen.add(type);
      const options = Reflect.getMetadata(STEP_TYPE_OPTIONS, metatype) as StepTypeOptions | undefined;
      this.catalog.add(type, options?.params);
    }
  }

  onModuleInit(): void {
    for (const { type, instance } of this.stepTypes()) {
      if (instance) this.handlers.set(type, instance as StepHandler);
    }
  }

  private stepTypes(): { type: string; metatype: object; instance: unknown }[] {
    return this.discovery.getProviders().flatMap((wrapper) => {
      const metatype = wrapper.metatype as object | null | undefined;
      const type = metatype ? (Reflect.getMetadata(STEP_TYPE, metatype) as string | undefined) : undefined;
      return type && metatype ? [{ type, metatype, instance: wrapper.instance as unknown }] : [];
    });
  }

  get(type: string): StepHandler | undefined {
    return this.handlers.get(type);
  }

  names(): string[] {
    return [...this.handlers.keys()].sort();
  }
}
