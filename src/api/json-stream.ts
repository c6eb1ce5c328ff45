import type { ServerResponse } from 'node:http';

import type { JsonMessage } from '../api-types/index.js';
import { errorMessage } from '../core/index.js';

/**
 * Docker's JSON message stream (pull, push, load, import, build): one JSON object per line,
 * flushed as it happens. Once the stream has started, errors can no longer change the status
 * code, so they travel in-band as `{"errorDetail": ..., "error": ...}` as Docker sends them.
 */
export interface JsonStream {
  write(message: JsonMessage): void;
  /**
   * Reports an error: in-band once the stream has started; before that it is rethrown, so
   * the client gets a proper status code.
   */
  fail(err: unknown): void;
  end(): void;
}

export function startJsonStream(res: ServerResponse): JsonStream {
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    res.writeHead(200, { 'Content-Type': 'application/json' });
  };
  return {
    write(message) {
      start();
      res.write(JSON.stringify(message) + '\n');
    },
    fail(err) {
      if (!started) throw err;
      const message = errorMessage(err);
      this.write({ errorDetail: { message }, error: message });
    },
    end() {
      start();
      res.end();
    },
  };
}
