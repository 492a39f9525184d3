// `npm run optare -- <command>`: Optare's command-line tool (`npm run optare -- --help` lists the commands).
await import('./register-server.mjs');
const { main } = await import('../lib/cli/main.ts');
// Exit explicitly: the database is closed by now, and no stray handle should keep the tool alive.
process.exit(await main(process.argv.slice(2)));
