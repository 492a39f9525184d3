import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET as listClients } from '../../app/api/admin/v1/clients/route';
import { disableUser, enableUser, grantAdmin, revokeAdmin } from '../../lib/admin/users';
import { createApiKey } from '../../lib/admin/api-keys';
import { useTestConfig } from '../support/config';
import { openTestDatabase, type TestDatabase } from '../support/database';
import { ADMIN_ISSUER, callApi, consoleActor, keyWith, newAdmin } from './admin-api-keys-support';

/**
 * Orphaned API keys: a key acts with the authority of the administrator who created it, so it
 * stops working the moment that administrator is disabled or loses the role, and works again
 * only if both are restored. Keys without a creator (CLI, or minted by another key) are not
 * affected.
 */

let database: TestDatabase;
let creator: Awaited<ReturnType<typeof newAdmin>>;
let other: Awaited<ReturnType<typeof newAdmin>>;
beforeAll(async () => {
  useTestConfig({ OPTARE_ISSUER: ADMIN_ISSUER });
  database = await openTestDatabase();
  creator = await newAdmin();
  other = await newAdmin();
});
afterAll(() => database.close());

const list = (key: string) => callApi(listClients, 'GET', '/clients', { key });

async function expectCreatorInactive(response: Response) {
  expect(response.status).toBe(401);
  expect(response.headers.get('www-authenticate')).toBe('Bearer realm="optare-admin", error="invalid_token"');
  expect(await response.json()).toMatchObject({ error: 'invalid_token', message: expect.stringMatching(/administrator who created/) });
}

describe('an API key whose creator is no longer an active administrator', () => {
  it('is refused while its creator is disabled, and works again once they are enabled', async () => {
    const { key } = await keyWith(['clients:read'], consoleActor(creator.id));
    expect((await list(key)).status).toBe(200);

    expect((await disableUser(consoleActor(other.id), creator.id)).ok).toBe(true);
    await expectCreatorInactive(await list(key));

    expect((await enableUser(consoleActor(other.id), creator.id)).ok).toBe(true);
    expect((await list(key)).status).toBe(200);
  });

  it('is refused while its creator is not an administrator', async () => {
    const { key } = await keyWith(['clients:read'], consoleActor(creator.id));
    expect((await revokeAdmin(consoleActor(other.id), creator.id)).ok).toBe(true);
    await expectCreatorInactive(await list(key));
    expect((await grantAdmin(consoleActor(other.id), creator.id)).ok).toBe(true);
    expect((await list(key)).status).toBe(200);
  });

  it('is refused when its creator no longer exists', async () => {
    const { key, id } = await keyWith(['clients:read'], consoleActor(creator.id));
    await database.sql('UPDATE api_keys SET created_by_user_id = $1 WHERE id = $2', ['00000000-0000-4000-8000-000000000000', id]);
    await expectCreatorInactive(await list(key));
  });

  it('does not touch keys made by a key (no creator): their own expiry and revocation bind them', async () => {
    const parent = await keyWith(['clients:read', 'api_keys:write'], consoleActor(creator.id));
    const keyActor = { kind: 'api_key' as const, apiKeyId: parent.id, context: consoleActor(creator.id).context };
    const minted = await createApiKey({ name: 'minted', scopes: ['clients:read'] }, keyActor);
    if (!minted.ok) throw new Error(`createApiKey refused: ${JSON.stringify(minted)}`);
    expect((await list(minted.key)).status).toBe(200);

    expect((await disableUser(consoleActor(other.id), creator.id)).ok).toBe(true);
    await expectCreatorInactive(await list(parent.key));
    expect((await list(minted.key)).status).toBe(200);
    expect((await enableUser(consoleActor(other.id), creator.id)).ok).toBe(true);
  });
});
