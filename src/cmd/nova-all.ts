import { announceAllInOne } from '../process/all-in-one.js'
import { DAEMONS } from '../process/binaries.js'
import { ensureDefaultImage } from '../process/default-image.js'
import { launch } from '../process/launch.js'

await launch({
  binary: 'nova-all',
  daemons: DAEMONS,
  description:
    'nova-all: every nova-ts service in one process, on embedded defaults unless configured otherwise',
  argv: process.argv.slice(2),
  allInOne: true,
  afterStart: async (parts, config, logger) => {
    // With real guests: the test guest as the default image, on the first start.
    await ensureDefaultImage(config, logger)
    await announceAllInOne(parts, config, logger)
  },
})
