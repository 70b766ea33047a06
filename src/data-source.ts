/**
 * The data source the TypeORM CLI loads (`npm run migration:*`), with no Nest involved.
 * It reads the same validated environment as the app (and `.env` when present).
 */
import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { validateEnv } from './config/env.schema';
import { appTypeormOptions } from './orm-entities';

if (existsSync('.env')) process.loadEnvFile('.env');

export default new DataSource(appTypeormOptions(validateEnv(process.env)));
