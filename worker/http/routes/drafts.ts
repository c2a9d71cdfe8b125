// /api/cases/:id/draft: the signed-in agent's own unsent reply or note on the case (GET, PUT with
// compare-and-set on `version`, DELETE); /api/cases/:id/drafting: who else has one there. The rules
// are in worker/cases/drafts.ts.
import { Hono, type Context } from 'hono';
import { CaseActionError } from '../../cases/errors.ts';
import { clearDraft, DraftConflict, drafters, readDraft, saveDraft } from '../../cases/drafts.ts';
import type { DraftWho } from '../../cases/draft-plan.ts';
import { saveDraftBody, type DrafterView, type DraftView } from '../../protocol/drafts.ts';
import type { AppEnv } from '../env.ts';
import { ApiFailure } from '../errors.ts';
import { parseBody } from '../validate.ts';

export const draftRoutes = new Hono<AppEnv>();

function who(c: Context<AppEnv>): DraftWho {
  const agent = c.var.agent;
  // Open mode has nobody signed in: there is no one to keep a draft for (the page keeps it itself).
  if (c.var.actor === 'local' || !agent) throw new ApiFailure('forbidden', 'drafts are kept per agent: sign in to keep them on the server');
  return { workspaceId: c.var.workspaceId, caseId: c.req.param('id') ?? '', agentId: agent.id, agentName: agent.name };
}

function refused(err: unknown): never {
  if (err instanceof DraftConflict) throw new ApiFailure('conflict', err.message, { draft: err.stored });
  if (err instanceof CaseActionError) throw new ApiFailure(err.code, err.message);
  throw err;
}

draftRoutes.get('/:id/draft', async (c) => {
  const draft = await readDraft(c.var.deps.db, who(c)).catch(refused);
  return c.json({ draft } satisfies { draft: DraftView | null });
});

/** Saves the draft; `version` must be the stored one (left out to create), else 409 with the stored draft. */
draftRoutes.put('/:id/draft', async (c) => {
  const me = who(c);
  const body = await parseBody(c, saveDraftBody);
  const draft = await saveDraft(c.var.deps, me, body).catch(refused);
  return c.json({ draft } satisfies { draft: DraftView });
});

draftRoutes.delete('/:id/draft', async (c) => {
  await clearDraft(c.var.deps, who(c)).catch(refused);
  return c.body(null, 204);
});

/** The other agents drafting on the case: who and whether a reply or a note, never the text. */
draftRoutes.get('/:id/drafting', async (c) => {
  const items = await drafters(c.var.deps.db, c.var.workspaceId, c.req.param('id'), c.var.agent?.id ?? null).catch(refused);
  return c.json({ items } satisfies { items: DrafterView[] });
});
