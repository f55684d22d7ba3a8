import { osloDbSection } from './oslo-db.js'

/** `[placement_database]`: the placement database; unset means the API database. */
export const placement_database = osloDbSection('the placement database (unset: the API database)')
