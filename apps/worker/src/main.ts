import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { exitOnStartupError, loadConfig, withEmbeddedRuntime } from '@paperfeed/config';
import { WorkerModule } from './worker.module';

async function main(): Promise<void> {
  const config = withEmbeddedRuntime(loadConfig());
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { bufferLogs: false });
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
}

main().catch(exitOnStartupError);
