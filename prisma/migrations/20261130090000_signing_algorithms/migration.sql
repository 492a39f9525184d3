-- AlterTable: per-client token signing algorithms (RS256 stays the default).
ALTER TABLE "oauth_clients" ADD COLUMN "id_token_signed_response_alg" VARCHAR(16) NOT NULL DEFAULT 'RS256',
ADD COLUMN "access_token_signed_response_alg" VARCHAR(16) NOT NULL DEFAULT 'RS256';
