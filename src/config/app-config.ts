import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Env, envSchema } from './env.schema';

/** Typed access to the validated environment. */
@Injectable()
export class AppConfig {
  constructor(private readonly config: ConfigService<Env, true>) {}

  get<K extends keyof Env>(key: K): Env[K] {
    return this.config.get(key, { infer: true });
  }

  /** The whole validated environment (for helpers that take `Env`). */
  get all(): Env {
    return Object.fromEntries(Object.keys(envSchema.shape).map((k) => [k, this.get(k as keyof Env)])) as Env;
  }
}
