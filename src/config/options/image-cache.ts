import { boolOpt, intOpt, strOpt } from '../opt.js'

/**
 * `[image_cache]`: the image cache of drivers that keep one (the QEMU driver's `instances_path/_base`) and
 * nova-compute's periodic pass that ages it (Nova's image cache manager).
 */
export const image_cache = {
  manager_interval: intOpt({
    default: 2400,
    help: 'Seconds between runs of the image cache manager; 0 runs it at the default periodic interval (60 s), a negative value disables it.',
  }),
  subdirectory_name: strOpt({
    default: '_base',
    help: 'Folder under instances_path where cached images are kept.',
  }),
  remove_unused_base_images: boolOpt({
    default: true,
    help: 'Remove cached images that no instance of the host uses once they are older than remove_unused_original_minimum_age_seconds.',
  }),
  remove_unused_original_minimum_age_seconds: intOpt({
    default: 86400,
    min: 0,
    help: 'Seconds since its last use after which an unused cached image is removed.',
  }),
} as const
