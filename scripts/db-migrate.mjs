await import('./register-server.mjs');
const { runMigrateCommand } = await import('../lib/db/migrate-command.ts');
process.exit(await runMigrateCommand());
