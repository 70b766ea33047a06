import { Injectable } from '@nestjs/common';
import { AppConfig } from '@cognition/config/app-config';
import type { DefinitionRules } from '../../domain/agent-definition.aggregate';
import { ToolCatalog } from '../../domain/tool-catalog.port';

/** What definitions are validated against: the discovered tools and the deployment's MODEL_PROVIDER. */
@Injectable()
export class AgentDefinitionRules implements DefinitionRules {
  constructor(
    readonly tools: ToolCatalog,
    private readonly config: AppConfig,
  ) {}

  get defaultProvider(): string {
    return this.config.get('MODEL_PROVIDER');
  }
}
