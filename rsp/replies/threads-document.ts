// The qXfer:threads:read document (GDB manual, "Thread List Format"):
//   <threads><thread id="id" core="hex" name="name"/>...</threads>
import { xmlEscape } from './xml.js';

export interface ThreadEntry {
  /** The thread-id as the session formats it (multiprocess or not). */
  id: string;
  core?: number;
  name?: string;
}

export function threadsDocument(threads: readonly ThreadEntry[]): string {
  const parts = ['<?xml version="1.0"?>\n<threads>\n'];
  for (const t of threads) {
    const core = t.core !== undefined ? ` core="${t.core.toString(16)}"` : '';
    const name = t.name !== undefined ? ` name="${xmlEscape(t.name)}"` : '';
    parts.push(`<thread id="${t.id}"${core}${name}/>\n`);
  }
  parts.push('</threads>\n');
  return parts.join('');
}
