import 'reflect-metadata';
import { AppModule } from './app.module';
import { AppConfig } from './config/app-config';
import { createApp } from './platform/http/create-app';

async function main(): Promise<void> {
  const app = await createApp(AppModule);
  const config = app.get(AppConfig);
  await app.listen(config.get('PORT'), config.get('HOST'));
}

main().catch((error: Error) => {
  // A bad environment stops here with a message that names the variable.
  console.error(error.message);
  process.exit(1);
});
