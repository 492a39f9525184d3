// A PostgreSQL adapter for node-oidc-provider, written for the benchmark (bench/compare.mjs): one
// table for every model (Session, Interaction, AuthorizationCode, AccessToken, RefreshToken,
// Grant, …), keyed by (model, id), the payload as jsonb, and the columns the provider looks
// things up by (grantId, userCode, uid) indexed. Expired rows are never returned; a consumed
// row is returned with `consumed` set, as the provider expects (it decides what reuse means).
import pg from 'pg';

const TABLE = 'oidc_payloads';

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS ${TABLE} (
  model       text        NOT NULL,
  id          text        NOT NULL,
  payload     jsonb       NOT NULL,
  grant_id    text,
  user_code   text,
  uid         text,
  expires_at  timestamptz,
  consumed_at timestamptz,
  PRIMARY KEY (model, id)
);
CREATE INDEX IF NOT EXISTS ${TABLE}_grant_id ON ${TABLE} (model, grant_id) WHERE grant_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS ${TABLE}_user_code ON ${TABLE} (model, user_code) WHERE user_code IS NOT NULL;
CREATE INDEX IF NOT EXISTS ${TABLE}_uid ON ${TABLE} (model, uid) WHERE uid IS NOT NULL;
CREATE INDEX IF NOT EXISTS ${TABLE}_expires_at ON ${TABLE} (expires_at);
`;

const LIVE = '(expires_at IS NULL OR expires_at > now())';

/** Returns the adapter class for oidc-provider's `adapter` setting, backed by `pool`. */
export function postgresAdapter(pool) {
  return class PostgresAdapter {
    constructor(model) {
      this.model = model;
    }

    async upsert(id, payload, expiresIn) {
      await pool.query(
        `INSERT INTO ${TABLE} (model, id, payload, grant_id, user_code, uid, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $7::int IS NULL THEN NULL ELSE now() + make_interval(secs => $7::int) END)
         ON CONFLICT (model, id) DO UPDATE SET
           payload = EXCLUDED.payload, grant_id = EXCLUDED.grant_id, user_code = EXCLUDED.user_code,
           uid = EXCLUDED.uid, expires_at = EXCLUDED.expires_at`,
        [this.model, id, payload, payload.grantId ?? null, payload.userCode ?? null, payload.uid ?? null, expiresIn ?? null],
      );
    }

    find(id) {
      return this.#findBy('id', id);
    }

    findByUid(uid) {
      return this.#findBy('uid', uid);
    }

    findByUserCode(userCode) {
      return this.#findBy('user_code', userCode);
    }

    async consume(id) {
      await pool.query(`UPDATE ${TABLE} SET consumed_at = now() WHERE model = $1 AND id = $2`, [this.model, id]);
    }

    async destroy(id) {
      await pool.query(`DELETE FROM ${TABLE} WHERE model = $1 AND id = $2`, [this.model, id]);
    }

    async revokeByGrantId(grantId) {
      await pool.query(`DELETE FROM ${TABLE} WHERE model = $1 AND grant_id = $2`, [this.model, grantId]);
    }

    async #findBy(column, value) {
      const { rows } = await pool.query(
        `SELECT payload, consumed_at FROM ${TABLE} WHERE model = $1 AND ${column} = $2 AND ${LIVE}`,
        [this.model, value],
      );
      if (rows.length === 0) return undefined;
      const { payload, consumed_at: consumedAt } = rows[0];
      return consumedAt ? { ...payload, consumed: Math.floor(consumedAt.getTime() / 1000) } : payload;
    }
  };
}

/** A pool for the adapter and the account queries; creates the table if it is missing. */
export async function openPool(connectionString, max = 10) {
  const pool = new pg.Pool({ connectionString, max });
  await pool.query(SCHEMA);
  return pool;
}
