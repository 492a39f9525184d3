-- AlterTable
ALTER TABLE "audit_events" ADD COLUMN     "content_version" SMALLINT NOT NULL DEFAULT 1,
ADD COLUMN     "legacy_content_hash" BYTEA,
ADD COLUMN     "personal_digest" BYTEA,
ADD COLUMN     "pseudonymised_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "audit_personal_salts" (
    "seq" BIGINT NOT NULL,
    "salt" BYTEA NOT NULL,

    CONSTRAINT "audit_personal_salts_pkey" PRIMARY KEY ("seq")
);

-- Hand-written: pseudonymising a deleted user's audit events (lib/audit/pseudonymise.ts).
-- Version 2 events commit to a salted digest of their personal fields (actor_user_id, subject,
-- ip, user_agent and the personal members of details) instead of the fields themselves; the salt
-- lives in audit_personal_salts. Deleting a user overwrites those fields with a pseudonym (or
-- null), sets pseudonymised_at and deletes the salts, inside a transaction that declares itself
-- the pseudonymisation (set_config('optare.audit_pseudonymise', 'on', true)). The append-only
-- trigger lets that UPDATE through, and a row trigger limits it to the personal columns, once per
-- row. Every other UPDATE, DELETE and TRUNCATE is refused as before.
CREATE OR REPLACE FUNCTION "audit_events_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('optare.audit_retention', true) = 'on' THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'UPDATE' AND current_setting('optare.audit_pseudonymise', true) = 'on' THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION 'audit_events is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE FUNCTION "audit_events_pseudonymise_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('optare.audit_pseudonymise', true) IS DISTINCT FROM 'on' THEN
    RETURN NEW; -- not a pseudonymisation: the statement trigger has decided already
  END IF;
  IF OLD."pseudonymised_at" IS NOT NULL OR NEW."pseudonymised_at" IS NULL
     OR NEW."seq" IS DISTINCT FROM OLD."seq"
     OR NEW."created_at" IS DISTINCT FROM OLD."created_at"
     OR NEW."type" IS DISTINCT FROM OLD."type"
     OR NEW."request_id" IS DISTINCT FROM OLD."request_id"
     OR NEW."outcome" IS DISTINCT FROM OLD."outcome"
     OR NEW."actor_api_key_id" IS DISTINCT FROM OLD."actor_api_key_id"
     OR NEW."prev_hash" IS DISTINCT FROM OLD."prev_hash"
     OR NEW."hash" IS DISTINCT FROM OLD."hash"
     OR NEW."content_version" IS DISTINCT FROM OLD."content_version"
     OR NEW."personal_digest" IS DISTINCT FROM OLD."personal_digest"
     OR (OLD."content_version" <> 1 AND NEW."legacy_content_hash" IS NOT NULL) THEN
    RAISE EXCEPTION 'audit_events: a pseudonymisation may change only the personal fields, once' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER "audit_events_pseudonymise_only"
  BEFORE UPDATE ON "audit_events"
  FOR EACH ROW EXECUTE FUNCTION "audit_events_pseudonymise_only"();

-- Salts are written once; they go only with their events (retention), by a pseudonymisation, or
-- when the events themselves were truncated.
CREATE FUNCTION "audit_personal_salts_guard"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'TRUNCATE') AND (
       current_setting('optare.audit_pseudonymise', true) = 'on'
       OR current_setting('optare.audit_retention', true) = 'on'
       OR pg_trigger_depth() > 1) THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION 'audit_personal_salts: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER "audit_personal_salts_guard"
  BEFORE UPDATE OR DELETE OR TRUNCATE ON "audit_personal_salts"
  FOR EACH STATEMENT EXECUTE FUNCTION "audit_personal_salts_guard"();

CREATE FUNCTION "audit_events_truncated"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE "audit_personal_salts";
  RETURN NULL;
END;
$$;
CREATE TRIGGER "audit_events_truncated"
  AFTER TRUNCATE ON "audit_events"
  FOR EACH STATEMENT EXECUTE FUNCTION "audit_events_truncated"();
