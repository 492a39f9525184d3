-- AlterTable: a client's token signing algs are NULL until chosen; NULL follows OPTARE_DEFAULT_SIGNING_ALG.
ALTER TABLE "oauth_clients" ALTER COLUMN "id_token_signed_response_alg" DROP NOT NULL,
ALTER COLUMN "id_token_signed_response_alg" DROP DEFAULT,
ALTER COLUMN "access_token_signed_response_alg" DROP NOT NULL,
ALTER COLUMN "access_token_signed_response_alg" DROP DEFAULT;

-- Until now RS256 was both the default and what the client form preselected, so a stored RS256
-- cannot be told apart from "not chosen": it becomes NULL, which signs with RS256 exactly as
-- before until an operator sets OPTARE_DEFAULT_SIGNING_ALG. An RP that only accepts RS256 then
-- sets RS256 on its client again.
UPDATE "oauth_clients" SET "id_token_signed_response_alg" = NULL WHERE "id_token_signed_response_alg" = 'RS256';
UPDATE "oauth_clients" SET "access_token_signed_response_alg" = NULL WHERE "access_token_signed_response_alg" = 'RS256';
