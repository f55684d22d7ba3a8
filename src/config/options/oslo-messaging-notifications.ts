import { listOpt, multiOpt, strOpt } from '../opt.js'

/** `[oslo_messaging_notifications]`: where notifications are sent (oslo.messaging names). */
export const oslo_messaging_notifications = {
  driver: multiOpt({
    help: 'Notification drivers: messagingv2 sends them on the bus; noop or none disables.',
  }),
  topics: listOpt({ default: ['notifications'], help: 'Topics for legacy notifications.' }),
  transport_url: strOpt({
    secret: true,
    help: 'Separate bus for notifications (default: [DEFAULT] transport_url).',
  }),
} as const
