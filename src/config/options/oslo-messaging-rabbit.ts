import { boolOpt, intOpt } from '../opt.js'

/** `[oslo_messaging_rabbit]`: the RabbitMQ transport (oslo.messaging names). */
export const oslo_messaging_rabbit = {
  heartbeat_timeout_threshold: intOpt({
    default: 60,
    min: 0,
    help: 'Seconds without broker traffic before the connection counts as dead; 0 disables heartbeats.',
  }),
  rabbit_retry_interval: intOpt({
    default: 1,
    min: 0,
    help: 'Seconds before the first reconnection attempt.',
  }),
  rabbit_retry_backoff: intOpt({
    default: 2,
    min: 0,
    help: 'Seconds added to the wait after each failed reconnection.',
  }),
  rabbit_interval_max: intOpt({ default: 30, min: 1, help: 'Longest wait between reconnection attempts.' }),
  amqp_durable_queues: boolOpt({ default: false, help: 'Declare durable queues.' }),
  amqp_auto_delete: boolOpt({ default: false, help: 'Declare auto-deleted queues and exchanges.' }),
  rabbit_ha_queues: boolOpt({ default: false, help: 'Mirror queues (classic HA).' }),
  rabbit_quorum_queue: boolOpt({ default: false, help: 'Use quorum queues.' }),
  ssl: boolOpt({ default: false, help: 'Connect with TLS.' }),
} as const
