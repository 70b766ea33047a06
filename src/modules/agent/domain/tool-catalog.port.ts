/** The tools this process can run, as the domain sees them (definitions are validated against it). */
export interface ToolInfo {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
  requiredPermissions: string[];
  destructive: boolean;
}

export abstract class ToolCatalog {
  abstract find(name: string): ToolInfo | undefined;
  abstract names(): string[];
}
