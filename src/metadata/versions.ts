/** The EC2 metadata versions Nova serves, oldest first (`latest` is the newest). */
export const EC2_VERSIONS = [
  '1.0',
  '2007-01-19',
  '2007-03-01',
  '2007-08-29',
  '2007-10-10',
  '2007-12-15',
  '2008-02-01',
  '2008-09-01',
  '2009-04-04',
] as const

/** The OpenStack metadata versions Nova serves, oldest first (`latest` is the newest). */
export const OPENSTACK_VERSIONS = [
  '2012-08-10',
  '2013-04-04',
  '2013-10-17',
  '2015-10-15',
  '2016-06-30',
  '2016-10-06',
  '2017-02-22',
  '2018-08-27',
  '2020-10-14',
  '2025-04-04',
] as const

/** The OpenStack versions that added something to the tree (Nova's release names for them). */
export const GRIZZLY = '2013-04-04'
export const HAVANA = '2013-10-17'
export const LIBERTY = '2015-10-15'
export const NEWTON_ONE = '2016-06-30'
export const NEWTON_TWO = '2016-10-06'
export const VICTORIA = '2020-10-14'

/** `[api] config_drive_skip_versions`'s default: every EC2 version before 2009-04-04 stays off the drive. */
export const DEFAULT_CONFIG_DRIVE_SKIP_VERSIONS = EC2_VERSIONS.slice(0, -1).join(' ')

/** Whether `requested` (a version of `versions` or `latest`) is `required` or newer. */
export function versionAtLeast(versions: readonly string[], required: string, requested: string): boolean {
  if (requested === 'latest') return true
  const at = versions.indexOf(requested)
  if (at < 0) throw new Error(`unknown metadata version ${requested}`)
  return at >= versions.indexOf(required)
}
