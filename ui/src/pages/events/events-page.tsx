import { useLocation } from 'preact-iso';
import { Page } from '../../components/page';
import { uiPath } from '../../routing';
import { DeadLetters } from './dead-letters';
import { EventList } from './event-list';
import { Subscriptions } from './subscriptions';
import './events.css';

const VIEWS = [
  { id: 'events', label: 'Event list' },
  { id: 'subscriptions', label: 'Subscriptions' },
  { id: 'dead-letters', label: 'Dead letters' },
] as const;
type View = (typeof VIEWS)[number]['id'];

function eventsPath(view: View, subscriber = ''): string {
  const query = new URLSearchParams();
  if (view !== 'events') query.set('view', view);
  if (view === 'dead-letters' && subscriber) query.set('subscriber', subscriber);
  const search = query.toString();
  return uiPath(`/events${search ? `?${search}` : ''}`);
}

/** The event store: the domain events, the durable subscribers with their checkpoints, the dead letters. */
export default function EventsPage() {
  const { query, route } = useLocation();
  const view: View = VIEWS.some((v) => v.id === query.view) ? (query.view as View) : 'events';
  const subscriber = query.subscriber ?? '';
  return (
    <Page title="Events">
      <div class="area-events">
        <nav class="view-tabs" aria-label="Event views">
          {VIEWS.map((v) => (
            <a key={v.id} href={eventsPath(v.id, subscriber)} aria-current={v.id === view ? 'page' : undefined}>
              {v.label}
            </a>
          ))}
        </nav>
        {view === 'events' && <EventList />}
        {view === 'subscriptions' && <Subscriptions onDeadLetters={(name) => route(eventsPath('dead-letters', name))} />}
        {view === 'dead-letters' && <DeadLetters subscriber={subscriber} onSubscriber={(name) => route(eventsPath('dead-letters', name), true)} />}
      </div>
    </Page>
  );
}
