import { Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { AGENT_TOOL, AgentToolHandler } from '../../contracts';
import { ToolCatalog, ToolInfo } from '../../domain/tool-catalog.port';

/**
 * Every provider marked @AgentTool(name) in the application, found at start with Nest's
 * DiscoveryService: the built-in tools and whatever an importing application registers.
 */
@Injectable()
export class AgentTools extends ToolCatalog implements OnModuleInit {
  private readonly handlers = new Map<string, AgentToolHandler>();

  constructor(private readonly discovery: DiscoveryService) {
    super();
  }

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const name = wrapper.metatype ? (Reflect.getMetadata(AGENT_TOOL, wrapper.metatype) as string | undefined) : undefined;
      if (!name || !wrapper.instance) continue;
      if (this.handlers.has(name)) throw new Error(`Two providers are registered for agent tool "${name}"`);
      this.handlers.set(name, wrapper.instance as AgentToolHandler);
    }
  }

  handler(name: string): AgentToolHandler | undefined {
    return this.handlers.get(name);
  }

  find(name: string): ToolInfo | undefined {
    const tool = this.handlers.get(name);
    if (!tool) return undefined;
    const requiredPermissions = [...(tool.requiredPermissions ?? [])];
    if (tool.destructive && !requiredPermissions.includes('destructive')) requiredPermissions.push('destructive');
    return { name, description: tool.description, parameters: tool.parameters, requiredPermissions, destructive: !!tool.destructive };
  }

  names(): string[] {
    return [...this.handlers.keys()].sort();
  }
}
