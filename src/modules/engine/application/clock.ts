import { Injectable } from '@nestjs/common';

/** The scheduler's notion of now; tests replace it to run cron ticks faster than real time. */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}
