import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';

/** The shape of a collection on the wire; the domain checks lengths and characters. */
export class CreateMemoryCollectionRequestDto {
  @ApiProperty({ example: 'onboarding-facts', description: '1–200 printable characters, unique per tenant' })
  @IsString()
  name!: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 2000 })
  @IsOptional()
  @IsString()
  description?: string | null;
}
