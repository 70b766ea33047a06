import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { PageQueryRequestDto } from '@cognition/platform/pagination/page-query.request.dto';
import { DEAD_LETTER_STATUSES, DeadLetterStatus } from '../contracts';

export class ListDeadLettersRequestDto extends PageQueryRequestDto {
  @ApiPropertyOptional({ description: 'Only this subscriber’s', example: 'trace-spans' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  subscriber?: string;

  @ApiPropertyOptional({ enum: DEAD_LETTER_STATUSES, description: 'Only dead letters in this status (default: all)' })
  @IsOptional()
  @IsIn(DEAD_LETTER_STATUSES)
  status?: DeadLetterStatus;
}
