import { listOpt, strOpt } from '../opt.js'

/** `[notifications]`: Nova's notification settings. */
export const notifications = {
  notification_format: strOpt({
    default: 'unversioned',
    choices: ['both', 'versioned', 'unversioned'],
    help: 'Which notification format to emit.',
  }),
  notify_on_state_change: strOpt({
    choices: ['vm_state', 'vm_and_task_state'],
    help: 'Emit instance.update on these state changes.',
  }),
  versioned_notifications_topics: listOpt({
    default: ['versioned_notifications'],
    help: 'Topics versioned notifications are sent to.',
  }),
  default_level: strOpt({
    default: 'INFO',
    choices: ['DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL'],
    help: 'Priority of notifications that name none.',
  }),
} as const
