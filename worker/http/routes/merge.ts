// /api/cases/:id/merge and /api/cases/:id/split: the rules are in cases/merge.ts and cases/split.ts;
// these handlers validate, call and map refusals to HTTP.
import { Hono, type Context } from 'hono';
import { CaseActionError } from '../../cases/errors.ts';
import { mergeCases } from '../../cases/merge.ts';
import type { Author } from '../../cases/plan.ts';
import { splitCase } from '../../cases/split.ts';
import { mergeCandidates } from '../../cases/suggest.ts';
import { mergeBody, splitBody, type MergeCandidate, type MergeResult, type SplitResult } from '../../protocol/merge.ts';
import type { AppEnv } from '../env.ts';
import { ApiFailure, notFound } from '../errors.ts';
import { parseBody } from '../validate.ts';

export const mergeRoutes = new Hono<AppEnv>();

function author(c: Context<AppEnv>): Author {
  return c.var.actor === 'local' || !c.var.agent ? { id: null, name: 'Local agent' } : { id: c.var.agent.id, name: c.var.agent.name };
}

function refused(err: unknown): never {
  if (err instanceof CaseActionError) throw new ApiFailure(err.code === 'conflict' ? 'bad_request' : err.code, err.message);
  throw err;
}

/** This case and the customer's other cases (not merged away), for the merge dialog. */
mergeRoutes.get('/:id/merge-candidates', async (c) => {
  const items = await mergeCandidates(c.var.deps.db, c.var.workspaceId, c.req.param('id'));
  if (!items) throw notFound('case');
  return c.json({ items } satisfies { items: MergeCandidate[] });
});

/** The cases named in `absorb` become part of this one; they stay as closed pointers to it. */
mergeRoutes.post('/:id/merge', async (c) => {
  const body = await parseBody(c, mergeBody);
  const done = await mergeCases(c.var.deps, c.var.workspaceId, c.req.param('id'), body.absorb, author(c)).catch(refused);
  return c.json(done satisfies MergeResult);
});

/** The message and those after it become a new case linked to this one. */
mergeRoutes.post('/:id/split', async (c) => {
  const body = await parseBody(c, splitBody);
  const done = await splitCase(c.var.deps, c.var.workspaceId, c.req.param('id'), body.messageId, author(c)).catch(refused);
  return c.json(done satisfies SplitResult, 201);
});
