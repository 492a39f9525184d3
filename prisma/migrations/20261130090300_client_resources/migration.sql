-- RFC 8707 resource indicators: the APIs a client may get access tokens for, and the resources
-- an authorization request asked for (bound to its grant, so to its code and refresh tokens).
ALTER TABLE "oauth_clients" ADD COLUMN "resources" TEXT[] DEFAULT ARRAY[]::TEXT[];
ALTER TABLE "grants" ADD COLUMN "resources" TEXT[] DEFAULT ARRAY[]::TEXT[];
