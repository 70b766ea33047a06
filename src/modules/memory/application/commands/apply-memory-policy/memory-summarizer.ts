import { Injectable, Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { AppConfig } from '@cognition/config/app-config';
import { GenerateTextCommand } from '@cognition/agent/contracts';
import { extractiveSummary, type SummarySource, summaryPrompt } from '@cognition/memory/domain/dedup/extractive-summary';
import { MAX_CONTENT_LENGTH } from '@cognition/memory/domain/memory-fields';

export interface Summary {
  content: string;
  method: 'model' | 'extractive';
}

/**
 * The content of a summary memory: written by the model provider when MEMORY_SUMMARY_MODEL is set
 * (through the agent module's GenerateTextCommand), else extractive. A failing or empty model answer
 * falls back to the extractive summary, so maintenance never stops on a model outage.
 */
@Injectable()
export class MemorySummarizer {
  private readonly logger = new Logger(MemorySummarizer.name);

  constructor(
    private readonly commands: CommandBus,
    private readonly config: AppConfig,
  ) {}

  async summarize(tenantId: string, sources: SummarySource[]): Promise<Summary> {
    const model = this.config.get('MEMORY_SUMMARY_MODEL');
    if (model) {
      try {
        const { text } = await this.commands.execute(new GenerateTextCommand(tenantId, { ...summaryPrompt(sources), model, maxTokens: 1024 }));
        const content = text.trim().slice(0, MAX_CONTENT_LENGTH);
        if (content) return { content, method: 'model' };
        this.logger.warn(`the summary model ${model} answered nothing; using an extractive summary`);
      } catch (error) {
        this.logger.warn(`the summary model ${model} failed (${(error as Error).message}); using an extractive summary`);
      }
    }
    return { content: extractiveSummary(sources), method: 'extractive' };
  }
}
