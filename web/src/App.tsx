import { Show, createEffect } from 'solid-js';
import { CaseView } from './CaseView.tsx';
import { FloodBanners } from './FloodBanner.tsx';
import { Inbox } from './Inbox.tsx';
import { connectionState } from './live.ts';
import { openCaseId } from './route.ts';

const CONNECTION_LABELS = {
  connecting: 'connecting…',
  live: 'live',
  reconnecting: 'reconnecting…',
} as const;

function ConnectionIndicator() {
  return (
    <span class={`conn conn-${connectionState()}`} data-testid="connection" data-state={connectionState()} role="status" title="Updates arrive without reloading while live">
      <span class="dot" aria-hidden="true" />
      {CONNECTION_LABELS[connectionState()]}
    </span>
  );
}

export function App() {
  createEffect(() => {
    if (!openCaseId()) document.title = 'edgecase';
  });
  return (
    <div class="app">
      <header class="topbar">
        <h1 class="brand">
          <a href="#/">edgecase</a>
        </h1>
        <ConnectionIndicator />
      </header>
      <FloodBanners />
      <main>
        <Show when={openCaseId()} keyed fallback={<Inbox />}>
          {(id) => <CaseView id={id} />}
        </Show>
      </main>
    </div>
  );
}
