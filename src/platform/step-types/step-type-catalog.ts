import { Injectable } from '@nestjs/common';

/**
 * The names of the step types this process can run. The engine adds every discovered handler at
 * start; the workflow module validates definitions against it (plus the built-in names).
 */
@Injectable()
export class StepTypeCatalog {
  private readonly names = new Set<string>();

  add(name: string): void {
    this.names.add(name);
  }

  has(name: string): boolean {
    return this.names.has(name);
  }

  list(): string[] {
    return [...this.names].sort();
  }
}
