import 'server-only';
import { loadConfig, type Config } from './load';

export { ConfigError, loadConfig, type Config, type DatabaseTarget, type TlsSettings } from './load';

const GLOBAL_KEY = Symbol.for('optare.config');
type Holder = { [GLOBAL_KEY]?: Config };

/**
 * The configuration parsed once at boot. The server's bootstrap installs it before Next.js
 * loads, so route handlers (a separate module graph in the same process) see the same object.
 */
export function getConfig(): Config {
  const holder = globalThis as Holder;
  holder[GLOBAL_KEY] ??= loadConfig(process.env);
  return holder[GLOBAL_KEY];
}

export function installConfig(config: Config): void {
  (globalThis as Holder)[GLOBAL_KEY] = config;
}
