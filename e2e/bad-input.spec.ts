import { randomUUID } from 'node:crypto';
import { expect, test, type APIRequestContext, type APIResponse } from '@playwright/test';

/**
 * Hostile and malformed input to the JSON endpoints: every answer is a clear 4xx with Optare's
 * error shape (never a 5xx), nothing is reflected raw, and nothing is written. Whether an
 * account was written is checked the way a client can: a later valid sign-up with the same
 * email must still get 201.
 */

const SIGN_UP = '/api/auth/sign-up';
const SIGN_IN = '/api/auth/sign-in';
const SIGN_OUT = '/sign-out';
const PASSWORD = 'CorrectHorse-Battery-9';
const HTML = '<img src=x onerror=alert(1)>';
const SQL = [`' OR 1=1 --`, `"; DROP TABLE users; --`];
const TEN_KB = 'A'.repeat(10 * 1024);
const EVIL = 'https://evil.example';

const uniqueEmail = (label: string) => `bad-${label}-${randomUUID().slice(0, 8)}@example.com`;

/** A 4xx with a JSON body naming the error; returns the body. */
async function expectRefusal(response: APIResponse, status?: number): Promise<{ error: string; fieldErrors?: Record<string, string[]> }> {
  const text = await response.text();
  if (status !== undefined) expect(response.status(), text).toBe(status);
  expect(response.status(), text).toBeGreaterThanOrEqual(400);
  expect(response.status(), text).toBeLessThan(500);
  expect(response.headers()['content-type']).toMatch(/^application\/json/);
  expect(text).not.toContain(HTML);
  const body = JSON.parse(text) as { error: unknown; fieldErrors?: Record<string, string[]> };
  expect(typeof body.error).toBe('string');
  // A refusal never signs anybody in.
  expect(response.headers()['set-cookie'] ?? '').not.toMatch(/optare_session=[^;]/);
  return body as { error: string; fieldErrors?: Record<string, string[]> };
}

/** The email is still free: nothing was written for it. */
async function expectNoAccount(request: APIRequestContext, email: string): Promise<void> {
  const response = await request.post(SIGN_UP, { data: { email, name: 'Checker', password: PASSWORD } });
  expect(response.status(), `an account for ${email} exists: ${await response.text()}`).toBe(201);
}

/** An account that exists, for the sign-in cases. */
async function existingAccount(request: APIRequestContext, label: string) {
  const account = { email: uniqueEmail(label), name: 'Existing', password: PASSWORD };
  expect((await request.post(SIGN_UP, { data: account })).status()).toBe(201);
  return account;
}

const json = (data: unknown) => ({ data: JSON.stringify(data), headers: { 'content-type': 'application/json' } });
const rawJson = (text: string) => ({ data: text, headers: { 'content-type': 'application/json' } });

const WRONG_TYPES: Array<[string, unknown]> = [
  ['a number', 12345678901234],
  ['an array', ['a@example.com']],
  ['an object', { $ne: null }],
  ['null', null],
  ['a boolean', true],
];

test.describe('sign-up refuses malformed bodies', () => {
  test('a missing body: 400 with application/json, 415 without a content type', async ({ request }) => {
    await expectRefusal(await request.post(SIGN_UP, { headers: { 'content-type': 'application/json' } }), 400);
    await expectRefusal(await request.post(SIGN_UP), 415);
  });

  test('an empty object: 400 naming every field', async ({ request }) => {
    const body = await expectRefusal(await request.post(SIGN_UP, json({})), 400);
    expect(body.error).toBe('invalid_request');
    expect(Object.keys(body.fieldErrors ?? {}).sort()).toEqual(['email', 'name', 'password']);
  });

  for (const field of ['email', 'name', 'password'] as const) {
    test(`a missing ${field}: 400 naming it, and no account`, async ({ request }) => {
      const email = uniqueEmail(`missing-${field}`);
      const data: Record<string, unknown> = { email, name: 'Missing', password: PASSWORD };
      delete data[field];
      const body = await expectRefusal(await request.post(SIGN_UP, json(data)), 400);
      expect(body.fieldErrors?.[field]).toBeTruthy();
      if (field !== 'email') await expectNoAccount(request, email);
    });

    test(`wrong types in ${field}: 400 naming it, and no account`, async ({ request }) => {
      const email = uniqueEmail(`type-${field}`);
      for (const [kind, value] of WRONG_TYPES) {
        const data = { email, name: 'Typed', password: PASSWORD, [field]: value };
        const body = await expectRefusal(await request.post(SIGN_UP, json(data)), 400);
        expect(body.fieldErrors?.[field], `${field} as ${kind}`).toBeTruthy();
      }
      if (field !== 'email') await expectNoAccount(request, email);
    });

    test(`a 10 kB ${field}: 400 naming it, and no account`, async ({ request }) => {
      const email = uniqueEmail(`long-${field}`);
      const value = field === 'email' ? `${TEN_KB}@example.com` : TEN_KB;
      const body = await expectRefusal(await request.post(SIGN_UP, json({ email, name: 'Long', password: PASSWORD, [field]: value })), 400);
      expect(body.fieldErrors?.[field]).toBeTruthy();
      if (field !== 'email') await expectNoAccount(request, email);
    });
  }

  test('a 20 kB body: 413, and no account', async ({ request }) => {
    const email = uniqueEmail('big');
    const body = await expectRefusal(
      await request.post(SIGN_UP, json({ email, name: 'Big', password: PASSWORD, padding: 'x'.repeat(20 * 1024) })),
      413,
    );
    expect(body.error).toBe('payload_too_large');
    await expectNoAccount(request, email);
  });

  test('invalid UTF-8 bytes: 400, and no account', async ({ request }) => {
    await expectRefusal(await request.post(SIGN_UP, { data: Buffer.from([0xff, 0xfe]), headers: { 'content-type': 'application/json' } }), 400);
    const email = uniqueEmail('utf8');
    const valid = Buffer.from(JSON.stringify({ email, name: 'Bytes', password: PASSWORD }));
    const name = valid.indexOf('Bytes');
    const corrupt = Buffer.concat([valid.subarray(0, name), Buffer.from([0xff, 0xfe]), valid.subarray(name)]);
    await expectRefusal(await request.post(SIGN_UP, { data: corrupt, headers: { 'content-type': 'application/json' } }), 400);
    await expectNoAccount(request, email);
  });

  test('form, multipart and text bodies: 415, and no account', async ({ request }) => {
    const email = uniqueEmail('media');
    const fields = { email, name: 'Media', password: PASSWORD };
    const form = await expectRefusal(await request.post(SIGN_UP, { form: fields }), 415);
    expect(form.error).toBe('unsupported_media_type');
    await expectRefusal(await request.post(SIGN_UP, { multipart: fields }), 415);
    await expectRefusal(await request.post(SIGN_UP, { data: JSON.stringify(fields), headers: { 'content-type': 'text/plain' } }), 415);
    await expectNoAccount(request, email);
  });

  test('JSON that is not an object: 400', async ({ request }) => {
    for (const text of ['[]', 'null', '"a@example.com"', '42', '{"email":']) {
      await expectRefusal(await request.post(SIGN_UP, rawJson(text)), 400);
    }
  });
});

test.describe('sign-up with injection payloads @postgres', () => {
  for (const payload of [...SQL, HTML]) {
    test(`${JSON.stringify(payload)} as the email is refused and breaks nothing`, async ({ request }) => {
      await expectRefusal(await request.post(SIGN_UP, json({ email: payload, name: 'Inject', password: PASSWORD })), 400);
      await expectRefusal(await request.post(SIGN_UP, json({ email: `${payload}@example.com`, name: 'Inject', password: PASSWORD })), 400);
      await expectNoAccount(request, uniqueEmail('after-email-payload'));
    });

    test(`${JSON.stringify(payload)} as the password is stored verbatim or refused, never interpreted`, async ({ request }) => {
      const email = uniqueEmail('password-payload');
      const response = await request.post(SIGN_UP, json({ email, name: 'Inject', password: payload }));
      if ([...payload].length < 12) {
        const body = await expectRefusal(response, 400);
        expect(body.fieldErrors?.password).toBeTruthy();
        await expectNoAccount(request, email);
        return;
      }
      expect(response.status(), await response.text()).toBe(201);
      // The payload is just a password: it signs in exactly, and nothing else does.
      expect((await request.post(SIGN_IN, json({ email, password: payload }))).status()).toBe(200);
      await expectRefusal(await request.post(SIGN_IN, json({ email, password: `${payload} ` })), 401);
      await expectRefusal(await request.post(SIGN_IN, json({ email, password: `' OR '1'='1` })), 401);
    });

    test(`${JSON.stringify(payload)} as the name is refused, or stored and shown escaped`, async ({ request }) => {
      const email = uniqueEmail('name-payload');
      const response = await request.post(SIGN_UP, json({ email, name: payload, password: PASSWORD }));
      expect(await response.text()).not.toContain(HTML);
      if (response.status() !== 201) {
        await expectRefusal(response, 400);
        await expectNoAccount(request, email);
        return;
      }
      // Signed in by the sign-up: the home page shows the name, escaped as text.
      const home = await request.get('/');
      expect(home.status()).toBe(200);
      const html = await home.text();
      expect(html).toContain(email);
      expect(html).not.toContain(HTML);
      expect(html).not.toMatch(/<img[^>]*onerror/i);
    });
  }

  test('the users table survived every payload: a new account signs up and signs in', async ({ request }) => {
    for (const password of SQL) {
      const response = await request.post(SIGN_UP, json({ email: uniqueEmail('drop'), name: SQL[1], password: `${password}${password}` }));
      expect(response.status(), await response.text()).toBe(201);
    }
    const account = await existingAccount(request, 'survivor');
    expect((await request.post(SIGN_IN, json(account))).status()).toBe(200);
  });
});

test.describe('sign-up refuses unicode tricks, and writes nothing', () => {
  const tricks: Array<[string, string]> = [
    ['U+202E right-to-left override', '\u202e'],
    ['U+200B zero-width space', '\u200b'],
    ['NUL', '\u0000'],
  ];
  for (const [label, char] of tricks) {
    for (const field of ['email', 'name', 'password'] as const) {
      test(`${label} in the ${field}`, async ({ request }) => {
        const email = uniqueEmail(`trick-${field}`);
        const data = { email, name: 'Tricky Name', password: PASSWORD };
        data[field] = field === 'email' ? email.replace('@', `${char}@`) : `${data[field].slice(0, 4)}${char}${data[field].slice(4)}`;
        const body = await expectRefusal(await request.post(SIGN_UP, json(data)), 400);
        expect(body.fieldErrors?.[field]).toBeTruthy();
        await expectNoAccount(request, email);
      });
    }
  }

  test('a lone surrogate ("\\ud800" in the JSON) in the name or the password', async ({ request }) => {
    const email = uniqueEmail('surrogate');
    const name = await expectRefusal(
      await request.post(SIGN_UP, rawJson(`{"email":"${email}","name":"Ab\\ud800cd","password":"${PASSWORD}"}`)),
      400,
    );
    expect(name.fieldErrors?.name).toBeTruthy();
    const password = await expectRefusal(
      await request.post(SIGN_UP, rawJson(`{"email":"${email}","name":"Surrogate","password":"${PASSWORD}\\ud800"}`)),
      400,
    );
    expect(password.fieldErrors?.password).toBeTruthy();
    await expectNoAccount(request, email);
  });

  test('a Cyrillic homoglyph of an email address is refused, and the Latin address stays free', async ({ request }) => {
    const latin = uniqueEmail('homoglyph');
    const cyrillic = latin.replace('a', '\u0430'); // "example" -> "ex\u0430mple"
    expect(cyrillic).not.toBe(latin);
    const body = await expectRefusal(await request.post(SIGN_UP, json({ email: cyrillic, name: 'Homoglyph', password: PASSWORD })), 400);
    expect(body.fieldErrors?.email).toBeTruthy();
    await expectNoAccount(request, latin);
  });
});

test.describe('sign-in refuses malformed and hostile bodies', () => {
  test('missing body, empty object, missing fields and wrong types: 400', async ({ request }) => {
    await expectRefusal(await request.post(SIGN_IN, { headers: { 'content-type': 'application/json' } }), 400);
    await expectRefusal(await request.post(SIGN_IN), 415);
    const empty = await expectRefusal(await request.post(SIGN_IN, json({})), 400);
    expect(Object.keys(empty.fieldErrors ?? {}).sort()).toEqual(['email', 'password']);
    const account = await existingAccount(request, 'signin-shape');
    for (const field of ['email', 'password'] as const) {
      const data: Record<string, unknown> = { ...account };
      delete data[field];
      expect((await expectRefusal(await request.post(SIGN_IN, json(data)), 400)).fieldErrors?.[field]).toBeTruthy();
      for (const [kind, value] of WRONG_TYPES) {
        const body = await expectRefusal(await request.post(SIGN_IN, json({ ...account, [field]: value })), 400);
        expect(body.fieldErrors?.[field], `${field} as ${kind}`).toBeTruthy();
      }
    }
  });

  test('10 kB strings: 400; a 20 kB body: 413; invalid UTF-8: 400; other media types: 415', async ({ request }) => {
    const account = await existingAccount(request, 'signin-size');
    await expectRefusal(await request.post(SIGN_IN, json({ ...account, email: `${TEN_KB}@example.com` })), 400);
    await expectRefusal(await request.post(SIGN_IN, json({ ...account, password: TEN_KB })), 400);
    await expectRefusal(await request.post(SIGN_IN, json({ ...account, padding: 'x'.repeat(20 * 1024) })), 413);
    await expectRefusal(await request.post(SIGN_IN, { data: Buffer.from([0xff, 0xfe]), headers: { 'content-type': 'application/json' } }), 400);
    await expectRefusal(await request.post(SIGN_IN, { form: account }), 415);
    await expectRefusal(await request.post(SIGN_IN, { multipart: account }), 415);
    await expectRefusal(await request.post(SIGN_IN, { data: JSON.stringify(account), headers: { 'content-type': 'text/plain' } }), 415);
  });

  test('injection payloads never sign anyone in @postgres', async ({ request }) => {
    const account = await existingAccount(request, 'signin-inject');
    for (const payload of [...SQL, HTML]) {
      await expectRefusal(await request.post(SIGN_IN, json({ email: payload, password: PASSWORD })), 400);
      await expectRefusal(await request.post(SIGN_IN, json({ email: `${account.email}${payload}`, password: PASSWORD })), 400);
      const wrong = await expectRefusal(await request.post(SIGN_IN, json({ email: account.email, password: payload })), 401);
      expect(wrong.error).toBe('invalid_credentials');
    }
    // The account is intact.
    expect((await request.post(SIGN_IN, json(account))).status()).toBe(200);
  });

  test('unicode tricks and a homoglyph of an existing email never sign in', async ({ request }) => {
    const account = await existingAccount(request, 'signin-unicode');
    const [local, domain] = account.email.split('@') as [string, string];
    const variants = [
      `${local}\u200b@${domain}`,
      `${local}\u202e@${domain}`,
      `${local}\u0000@${domain}`,
      `${local}@${domain.replace('a', '\u0430')}`,
    ];
    for (const email of variants) {
      const body = await expectRefusal(await request.post(SIGN_IN, json({ email, password: PASSWORD })), 400);
      expect(body.fieldErrors?.email, JSON.stringify(email)).toBeTruthy();
    }
    await expectRefusal(await request.post(SIGN_IN, rawJson(`{"email":"${account.email}","password":"${PASSWORD}\\ud800"}`)), 400);
    await expectRefusal(await request.post(SIGN_IN, json({ email: account.email, password: `${PASSWORD}\u0000` })), 400);
  });
});

test.describe('cross-site writes are refused and write nothing', () => {
  const bodies = (fields: Record<string, string>) =>
    [
      ['JSON', json(fields)],
      ['urlencoded', { form: fields }],
      ['multipart', { multipart: fields }],
      ['text/plain', { data: JSON.stringify(fields), headers: { 'content-type': 'text/plain' } }],
    ] as const;

  const crossSite: Array<[string, Record<string, string>]> = [
    [`Origin: ${EVIL}`, { origin: EVIL }],
    ['Origin: null', { origin: 'null' }],
    ['Sec-Fetch-Site: cross-site without Origin', { 'sec-fetch-site': 'cross-site' }],
  ];

  for (const [label, headers] of crossSite) {
    test(`sign-up with ${label}: 403 for every body type, and no account`, async ({ request }) => {
      const email = uniqueEmail('csrf-up');
      for (const [kind, options] of bodies({ email, name: 'Cross Site', password: PASSWORD })) {
        const response = await request.post(SIGN_UP, { ...options, headers: { ...('headers' in options ? options.headers : {}), ...headers } });
        expect((await expectRefusal(response, 403)).error, kind).toBe('cross_site_request');
      }
      await expectNoAccount(request, email);
    });

    test(`sign-in with ${label}: 403 for every body type, and no session`, async ({ playwright, baseURL }) => {
      const setup = await playwright.request.newContext({ baseURL });
      const account = await existingAccount(setup, 'csrf-in');
      await setup.dispose();
      const attacker = await playwright.request.newContext({ baseURL });
      for (const [kind, options] of bodies(account)) {
        const response = await attacker.post(SIGN_IN, { ...options, headers: { ...('headers' in options ? options.headers : {}), ...headers } });
        expect((await expectRefusal(response, 403)).error, kind).toBe('cross_site_request');
      }
      expect((await attacker.storageState()).cookies).toEqual([]);
      await attacker.dispose();
    });

    test(`sign-out with ${label}: 403, and the session survives`, async ({ request }) => {
      const account = await existingAccount(request, 'csrf-out'); // signed in by the sign-up
      const before = await request.get('/');
      expect(await before.text()).toContain(account.email);
      for (const [kind, options] of bodies({ confirm: '1' })) {
        const response = await request.post(SIGN_OUT, { ...options, headers: { ...('headers' in options ? options.headers : {}), ...headers }, maxRedirects: 0 });
        expect(response.status(), kind).toBe(403);
        expect(response.headers()['clear-site-data']).toBeUndefined();
      }
      const after = await request.get('/');
      expect(await after.text()).toContain(account.email);
      // The same-origin sign-out still works.
      const signOut = await request.post(SIGN_OUT, { maxRedirects: 0 });
      expect(signOut.status()).toBe(303);
      expect(await (await request.get('/')).text()).not.toContain(account.email);
    });
  }
});

test.describe('methods and paths that do not exist', () => {
  for (const path of [SIGN_UP, SIGN_IN, SIGN_OUT]) {
    test(`GET ${path} is 405`, async ({ request }) => {
      const response = await request.get(path, { maxRedirects: 0 });
      expect(response.status()).toBe(405);
    });
  }

  for (const path of ['/.env', '/.env.example', '/package.json', '/.git/config', '/.next/BUILD_ID', '/.next/optare-server/main.mjs', '/.next/optare-server/main.mjs.map', '/prisma/schema.prisma', '/.data/encryption.key']) {
    test(`${path} is 404`, async ({ request }) => {
      const response = await request.get(path, { maxRedirects: 0 });
      expect(response.status()).toBe(404);
      const text = await response.text();
      expect(text).not.toContain('"dependencies"');
      expect(text).not.toContain('[core]');
      expect(text).not.toContain('DATABASE_URL=');
    });
  }
});
