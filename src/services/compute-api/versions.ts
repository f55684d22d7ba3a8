/** The compute API's version range: Nova 2025.1's (nova-reference §2). */
export const MIN_MICROVERSION = '2.1'
export const MAX_MICROVERSION = '2.100'

const V21_UPDATED = '2013-07-23T11:33:21Z'
const V20_UPDATED = '2011-01-21T11:33:21Z'

export interface VersionLink {
  readonly rel: string
  readonly href: string
  readonly type?: string
}

/** `GET /`: the versions list clients use to discover v2.1 (nova-reference §2.3). */
export function versionsDocument(baseUrl: string): unknown {
  return {
    versions: [
      {
        id: 'v2.0',
        status: 'DEPRECATED',
        version: '',
        min_version: '',
        updated: V20_UPDATED,
        links: [{ rel: 'self', href: `${baseUrl}/v2/` }],
      },
      {
        id: 'v2.1',
        status: 'CURRENT',
        version: MAX_MICROVERSION,
        min_version: MIN_MICROVERSION,
        updated: V21_UPDATED,
        links: [{ rel: 'self', href: `${baseUrl}/v2.1/` }],
      },
    ],
  }
}

/** `GET /v2.1/` (and `/v2/` with id v2.0): one version document. */
export function versionDocument(baseUrl: string, id: 'v2.0' | 'v2.1'): unknown {
  const isV21 = id === 'v2.1'
  const links: VersionLink[] = [
    { rel: 'self', href: `${baseUrl}/${isV21 ? 'v2.1' : 'v2'}/` },
    { rel: 'describedby', type: 'text/html', href: 'http://docs.openstack.org/' },
  ]
  return {
    version: {
      id,
      status: isV21 ? 'CURRENT' : 'DEPRECATED',
      version: isV21 ? MAX_MICROVERSION : '',
      min_version: isV21 ? MIN_MICROVERSION : '',
      updated: isV21 ? V21_UPDATED : V20_UPDATED,
      links,
      'media-types': [
        {
          base: 'application/json',
          type: `application/vnd.openstack.compute+json;version=${isV21 ? '2.1' : '2'}`,
        },
      ],
    },
  }
}
