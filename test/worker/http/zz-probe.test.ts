import { it } from 'vitest';
import type { CaseDetail } from '../../../worker/protocol/api.ts';
import { seeded } from '../helpers.ts';
import { call, deliver, getJson, withAttachments } from './client.ts';
it('probe', async () => {
  const deps = await seeded();
  await deliver(deps, withAttachments({}, 'x', [{ disposition: `attachment; filename="it's (1)*.txt"`, contentType: 'text/plain', content: new Uint8Array([65]) }]));
  const list = await getJson<{ items: { id: string }[] }>('/api/cases');
  const { body } = await getJson<CaseDetail>(`/api/cases/${list.body.items[0]!.id}`);
  const res = await call(body.messages[0]!.attachments[0]!.url!);
  console.log('PROBE', [...res.headers]);
  const raw = await call('/api/inbound');
  console.log('PROBE2', [...raw.headers]);
});
