/** The people and API keys behind actor ids (lib/db/audit-query.ts findAuditActorLabels). */
export interface ActorLabels {
  users: Map<string, { email: string; name: string }>;
  apiKeys: Map<string, { name: string; prefix: string }>;
}

/**
 * Who acted, in words: the user's email, or the API key's name and prefix; the bare id when
 * the user or key no longer exists; "—" for events with no actor (a failed sign-in, the server).
 */
export function ActorLabel({ userId, apiKeyId, labels }: { userId: string | null; apiKeyId: string | null; labels: ActorLabels }) {
  if (userId) {
    const user = labels.users.get(userId);
    return user ? <span title={userId}>{user.email}</span> : <span className="font-mono text-xs">{userId}</span>;
  }
  if (apiKeyId) {
    const key = labels.apiKeys.get(apiKeyId);
    return key ? (
      <span title={apiKeyId}>
        API key {key.name} <span className="font-mono text-xs text-slate-500">({key.prefix})</span>
      </span>
    ) : (
      <span className="font-mono text-xs">API key {apiKeyId}</span>
    );
  }
  return <span className="text-slate-500">—</span>;
}
