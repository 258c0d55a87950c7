export { toCloudEvent, formatSequence, type WorkflowCloudEvent, type CloudEventOptions } from './cloudEvent';
export { EventGridEventPublisher, type EventGridPublisherOptions } from './publisher';
export { EVENT_GRID_LIMITS, type BatchLimits } from './batching';
