import { osloDbSection } from './oslo-db.js'

/** `[database]`: the main (cell) database, oslo.db options. */
export const database = osloDbSection('the main (cell) database')
