/** A token of the all-in-one cloud's `admin` user, scoped to the `admin` project, from Keystone's v3 API. */
export async function adminToken(
  identityUrl: string,
  password: string,
): Promise<{ readonly token: string; readonly projectId: string }> {
  const response = await fetch(`${identityUrl}/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: 'admin', domain: { name: 'Default' }, password } },
        },
        scope: { project: { name: 'admin', domain: { name: 'Default' } } },
      },
    }),
  })
  const token = response.headers.get('x-subject-token')
  if (response.status !== 201 || token === null)
    throw new Error(`admin token: ${response.status} ${await response.text()}`)
  const body = (await response.json()) as { token: { project: { id: string } } }
  return { token, projectId: body.token.project.id }
}
