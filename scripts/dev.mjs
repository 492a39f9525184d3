// `npm run dev`: Next.js in development mode behind Optare's own server bootstrap.
await import('./register-server.mjs');
const { main } = await import('../lib/server/main.ts');
await main({ dev: true });
