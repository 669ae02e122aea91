import { canonicalBuild } from '../exchange/build.js';
import type { AgentMessage } from './messages.js';

/**
 * The message with every build it carries (an inventory's, a step result's) in the canonical short form, so that
 * `08.01.0278.002` from one tool and `8.1.278.2` from another are stored and shown as one build.
 */
export function withCanonicalBuilds(message: AgentMessage): AgentMessage {
  switch (message.type) {
    case 'INVENTORY': {
      const { server } = message.payload;
      return {
        ...message,
        payload: { ...message.payload, server: { ...server, build: canonicalBuild(server.build) } },
      };
    }
    case 'STEP_RESULT': {
      const { details } = message.payload;
      if (details.build === undefined) return message;
      return {
        ...message,
        payload: { ...message.payload, details: { ...details, build: canonicalBuild(details.build) } },
      };
    }
    default:
      return message;
  }
}
