// The HTTP API. Routes live one file per resource; this file wires them and owns error mapping.
import { Hono } from 'hono';
import { makeDeps } from '../deps.ts';
import { ApiFailure, CollisionFailure, ERROR_STATUS } from './errors.ts';
import { localDevOnly, requireAgent, sameOrigin } from './middleware/auth.ts';
import { attachmentRoutes } from './routes/attachments.ts';
import { caseRoutes } from './routes/cases.ts';
import { devRoutes } from './routes/dev.ts';
import { inboundRoutes } from './routes/inbound.ts';
import { liveRoutes } from './routes/live.ts';
import { mailboxRoutes } from './routes/mailboxes.ts';
import { notificationRoutes } from './routes/notifications.ts';
import { reportRoutes } from './routes/reports.ts';
import { searchRoutes } from './routes/search.ts';
import { adminRoutes } from './routes/admin.ts';
import { sessionRoutes } from './routes/session.ts';
import { teamRoutes } from './routes/teams.ts';
import { adminTeamRoutes } from './routes/admin-teams.ts';
import { viewRoutes } from './routes/views.ts';
import { snippetRoutes } from './routes/snippets.ts';
import { adminTagRoutes, tagRoutes } from './routes/tags.ts';
import { contactRoutes, organisationRoutes } from './routes/contacts.ts';
import type { ApiError } from '../protocol/api.ts';
import type { AppEnv } from './env.ts';

export type { AppEnv } from './env.ts';

export function createApp() {
  const app = new Hono<AppEnv>();
  app.use('/api/*', async (c, next) => {
    c.set('requestId', c.req.header('Cf-Ray') ?? crypto.randomUUID());
    // Sending mail continues after the response when the runtime gives us an execution context.
    let ctx: { waitUntil(p: Promise<unknown>): void } | undefined;
    try {
      ctx = c.executionCtx;
    } catch {
      ctx = undefined; // app.fetch without one (tests)
    }
    c.set('deps', makeDeps(c.env, ctx));
    await next();
    c.header('X-Content-Type-Options', 'nosniff');
    // API answers are per agent and change constantly; a route may choose otherwise (attachments).
    if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
  });
  app.get('/api/health', (c) => c.json({ ok: true }));
  app.use('/api/*', sameOrigin);
  app.use('/api/dev/*', localDevOnly);
  app.route('/api/dev', devRoutes);
  // Before the gate: signing in needs no session. GET /api/session applies the gate itself.
  app.route('/api/session', sessionRoutes);
  app.use('/api/*', requireAgent);
  app.route('/api/cases', caseRoutes);
  app.route('/api/inbound', inboundRoutes);
  app.route('/api/mailboxes', mailboxRoutes);
  app.route('/api/attachments', attachmentRoutes);
  app.route('/api/live', liveRoutes);
  app.route('/api/reports', reportRoutes);
  app.route('/api/views', viewRoutes);
  app.route('/api/teams', teamRoutes);
  app.route('/api/search', searchRoutes);
  app.route('/api/snippets', snippetRoutes);
  app.route('/api/notifications', notificationRoutes);
  app.route('/api/tags', tagRoutes);
  app.route('/api/contacts', contactRoutes);
  app.route('/api/organisations', organisationRoutes);
  app.route('/api/admin/tags', adminTagRoutes);
  app.route('/api/admin/teams', adminTeamRoutes);
  app.route('/api/admin', adminRoutes);
  app.notFound((c) => c.json({ error: { code: 'not_found', message: `no route for ${c.req.method} ${new URL(c.req.url).pathname}` } } satisfies ApiError, 404));
  app.onError((err, c) => {
    const requestId = c.get('requestId');
    if (err instanceof CollisionFailure) {
      return c.json({ error: { code: 'conflict', message: err.message }, newMessages: err.newMessages, lastSeq: err.lastSeq }, 409);
    }
    if (err instanceof ApiFailure) {
      return c.json({ error: { code: err.code, message: err.message, requestId, issues: err.issues } } satisfies ApiError, ERROR_STATUS[err.code]);
    }
    console.error(`request ${requestId} failed`, err);
    return c.json({ error: { code: 'internal', message: 'internal error', requestId } } satisfies ApiError, 500);
  });
  return app;
}
