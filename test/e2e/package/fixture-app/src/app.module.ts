import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { CognitionOsCoreModule, EngineModule, WorkflowModule } from 'cognition-os';
import { GreetingStepType } from './greeting.step-type';

/** The app's settings, in its own ConfigModule (CognitionOS reads its own variables from the environment). */
const appSettings = () => ({ greeting: process.env.APP_GREETING ?? 'Hello' });

@Module({ providers: [GreetingStepType] })
export class GreetingModule {}

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [appSettings] }),
    CognitionOsCoreModule.forRoot(),
    WorkflowModule,
    EngineModule,
    GreetingModule,
  ],
})
export class AppModule {}
