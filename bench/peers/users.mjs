// The peer's accounts: a `users` table read by its findAccount and its login interaction.
// Passwords are argon2id hashes at Optare's parameters (lib/auth/passwords.ts).
import { randomBytes } from 'node:crypto';
import { hash } from '@node-rs/argon2';

/** Argon2id, 19 MiB, 2 passes, 1 lane (Algorithm.Argon2id is 2). */
export const ARGON2 = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export const USERS_SCHEMA = `
CREATE TABLE IF NOT EXISTS users (
  id             text PRIMARY KEY,
  email          text NOT NULL UNIQUE,
  name           text,
  email_verified boolean NOT NULL DEFAULT false,
  password_hash  text NOT NULL
);`;

/** Adds a user (or resets the one with that email) with a verified email; returns its id. */
export async function addUser(pool, { email, name, password }) {
  await pool.query(USERS_SCHEMA);
  const { rows } = await pool.query(
    `INSERT INTO users (id, email, name, email_verified, password_hash) VALUES ($1, $2, $3, true, $4)
     ON CONFLICT (email) DO UPDATE SET name = EXCLUDED.name, password_hash = EXCLUDED.password_hash
     RETURNING id`,
    [randomBytes(12).toString('base64url'), email.toLowerCase(), name, await hash(password, ARGON2)],
  );
  return rows[0].id;
}
