import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { LocationProvider, Route, Router, useLocation } from 'preact-iso';
import type { CognitionOsClient } from '@client';
import { createApi, forgetApiKey, SessionContext, storedApiKey, storeApiKey } from './api';
import { Empty } from './components/empty';
import { ErrorBoundary } from './components/error-boundary';
import { Page } from './components/page';
import { routes as agentRoutes } from './pages/agents';
import { routes as eventRoutes } from './pages/events';
import { routes as executionRoutes } from './pages/executions';
import { routes as memoryRoutes } from './pages/memory';
import { routes as taskRoutes } from './pages/tasks';
import { routes as traceRoutes } from './pages/traces';
import { routes as workflowRoutes } from './pages/workflows';
import { UI_BASE, uiPath, type AreaRoute } from './routing';
import { SignIn } from './sign-in';

/** The top navigation: one link per area; a link is current on its path and every path below it. */
export const AREAS: { label: string; path: string }[] = [
  { label: 'Executions', path: '/executions' },
  { label: 'Workflows', path: '/workflows' },
  { label: 'Traces', path: '/traces' },
  { label: 'Agents', path: '/agents' },
  { label: 'Tasks', path: '/tasks' },
  { label: 'Memory', path: '/memory' },
  { label: 'Events', path: '/events' },
];

const ROUTES: AreaRoute[] = [...executionRoutes, ...workflowRoutes, ...traceRoutes, ...agentRoutes, ...taskRoutes, ...memoryRoutes, ...eventRoutes];

/** The dashboard: the sign-in form until a key is verified, then the shell with the typed client in context. */
export function App() {
  const [api, setApi] = useState<CognitionOsClient | null>(() => {
    const key = storedApiKey();
    return key ? createApi(key) : null;
  });
  const session = useMemo(
    () =>
      api && {
        api,
        signOut: () => {
          forgetApiKey();
          setApi(null);
        },
      },
    [api],
  );
  return (
    <LocationProvider scope={UI_BASE}>
      {session ? (
        <SessionContext.Provider value={session}>
          <Shell signOut={session.signOut} />
        </SessionContext.Provider>
      ) : (
        <SignIn
          onSignedIn={(key, verified) => {
            storeApiKey(key);
            setApi(verified);
          }}
        />
      )}
    </LocationProvider>
  );
}

function Shell({ signOut }: { signOut: () => void }) {
  const { path } = useLocation();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  // After a client-side navigation, focus moves to the new page (as a full page load would).
  useEffect(() => {
    if (first.current) first.current = false;
    else main.current?.focus();
  }, [path]);
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <a class="brand" href={uiPath('/')}>
          CognitionOS
        </a>
        <nav aria-label="Main">
          <ul>
            {AREAS.map((area) => {
              const href = uiPath(area.path);
              const current = path === href || path.startsWith(`${href}/`);
              return (
                <li key={area.path}>
                  <a href={href} aria-current={current ? 'page' : undefined}>
                    {area.label}
                  </a>
                </li>
              );
            })}
          </ul>
        </nav>
        <button type="button" class="sign-out" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <ErrorBoundary key={path}>
          <Router>
            <Route path={UI_BASE} component={Home} />
            <Route path={`${UI_BASE}/`} component={Home} />
            {ROUTES.map((route) => (
              <Route key={route.path} path={uiPath(route.path)} component={route.component} />
            ))}
            <Route default component={NotFound} />
          </Router>
        </ErrorBoundary>
      </main>
    </>
  );
}

/** /ui opens the Executions list. */
function Home() {
  const { route } = useLocation();
  useEffect(() => route(uiPath(AREAS[0].path), true), [route]);
  return null;
}

function NotFound() {
  const { path } = useLocation();
  return (
    <Page title="Not found">
      <Empty message={`Nothing here: ${path}`}>
        <a href={uiPath(AREAS[0].path)}>Go to Executions</a>
      </Empty>
    </Page>
  );
}
