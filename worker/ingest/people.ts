// people: who a message brings into its case as participants (and contacts). Pure.
import type { AddressView } from '../protocol/api.ts';

export type Person = AddressView & { role: 'requester' | 'cc' };

/**
 * More copied people than this and the mail went to a crowd (a broadcast, a leaked list): its To/Cc
 * become nobody's participants, so an agent's reply goes to the sender alone and filing it is not ten
 * thousand contact rows. Helpdesks cap CCs near here (Zendesk at 48).
 */
export const MAX_COPIED_PARTICIPANTS = 50;

/** A plus-address at one of our domains (a reply token of ours, a tagged alias): never a person. */
function isOurReplyAddress(email: string, own: Set<string>): boolean {
  const [local, domain] = email.split('@');
  if (!local || !domain || !local.includes('+')) return false;
  return [...own].some((o) => o.endsWith(`@${domain}`));
}

/** The people a message brings into its case: sender as `senderRole`, the other To/Cc as cc; none of our own addresses. */
export function peopleOf(ctx: { ownAddresses: readonly string[]; sender: AddressView; mail: { to: AddressView[]; cc: AddressView[] } }, senderRole: 'requester' | 'cc'): Person[] {
  const own = new Set(ctx.ownAddresses);
  const seen = new Set<string>();
  const out: Person[] = [];
  for (const [a, role] of [[ctx.sender, senderRole] as const, ...ctx.mail.to.map((a) => [a, 'cc'] as const), ...ctx.mail.cc.map((a) => [a, 'cc'] as const)]) {
    if (!a.email || own.has(a.email) || seen.has(a.email) || isOurReplyAddress(a.email, own)) continue;
    seen.add(a.email);
    out.push({ ...a, role });
  }
  const copied = out.filter((p) => p.email !== ctx.sender.email);
  return copied.length > MAX_COPIED_PARTICIPANTS ? out.filter((p) => p.email === ctx.sender.email) : out;
}

/** The people a list message brings: its sender alone. Its To/Cc are the list and its readers, nobody who asked us anything. */
export function listPeople(people: Person[], sender: AddressView): Person[] {
  return people.filter((p) => p.email === sender.email);
}
