import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigModule as NestConfigModule } from '@nestjs/config';
import { AppConfig } from './app-config';
import { validateEnv } from './env.schema';

/** The validated environment, read when forRoot() is called (so each app built reads the env of its time). */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(): DynamicModule {
    return {
      module: ConfigModule,
      imports: [NestConfigModule.forRoot({ isGlobal: true, cache: true, validate: validateEnv })],
      providers: [AppConfig],
      exports: [AppConfig],
    };
  }
}
