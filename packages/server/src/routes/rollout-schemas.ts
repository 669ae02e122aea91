import Type from 'typebox';
import { EventsPageView, RolloutView } from '../engine/views.js';
import { BODY_ERRORS, roleErrors } from './responses.js';

/** A rollout in a list: its view without the waves. */
export const RolloutSummary = Type.Omit(RolloutView, ['waves']);

/** GET /rollouts/:id/events: JSON, or with ?follow=true an event stream. */
export const EventsAnswer = {
  description:
    'One page of the events; with ?follow=true, a text/event-stream of them instead (rollout-event, then closed).',
  content: {
    'application/json': { schema: EventsPageView },
    'text/event-stream': { schema: Type.String() },
  },
};

/** What an action on a rollout or one of its servers may answer besides 200. */
export const ACTION_ERRORS = roleErrors(...BODY_ERRORS, 404, 409, 503);
