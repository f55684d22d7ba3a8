// The os-traits names the request filters may compute (Nova checks `hasattr(os_traits, name)` before asking
// placement, which refuses unknown traits with a 400): the standard traits placement knows.
import { STANDARD_TRAITS } from '../../placement/client.js'

export const KNOWN_TRAITS: ReadonlySet<string> = new Set(STANDARD_TRAITS)
