import 'server-only';
import { listClients } from '../../oauth/clients/registration';
import { defineCommand } from '../command';

export const clientList = defineCommand({
  name: 'client list',
  summary: 'List the registered OAuth clients',
  synopsis: '[--json]',
  help: 'One line per client: id, type, authentication method, enabled or disabled, name and redirect URIs. Secrets are never shown.',
  options: {},
  parseInput: () => ({}),
  async run() {
    const clients = await listClients();
    const text =
      clients.length === 0
        ? 'No clients.'
        : clients
            .map((client) =>
              [
                client.id,
                client.type.padEnd(12),
                client.tokenEndpointAuthMethod.padEnd(19),
                client.enabled ? 'enabled ' : 'disabled',
                JSON.stringify(client.name),
                client.redirectUris.join(' '),
              ].join('  '),
            )
            .join('\n');
    return { ok: true, json: { ok: true, clients }, text };
  },
});
