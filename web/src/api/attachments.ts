// An attachment's bytes, fetched with the agent's session (an inline image for a sandboxed frame,
// which cannot fetch anything from us itself).
import { request } from './request.ts';

export function fetchAttachment(url: string): Promise<ArrayBuffer> {
  return request(url, {}, { read: 'bytes' });
}
