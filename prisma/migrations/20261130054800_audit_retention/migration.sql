-- Hand-written: audit retention (the admin console's "Audit log retention" setting). The
-- append-only trigger still refuses UPDATE and TRUNCATE, and every DELETE except one made inside a
-- transaction that declares itself Optare's retention job (set_config('optare.audit_retention',
-- 'on', true), transaction-local). That job deletes only the oldest events, up to a cut-off, and
-- records `audit.pruned` with the last deleted event's hash in the same transaction, so that
-- `optare audit verify` starts from there. A deletion made any other way (the trigger disabled,
-- or the setting forged) still leaves a gap or an unexplained start that verification reports.
CREATE OR REPLACE FUNCTION "audit_events_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('optare.audit_retention', true) = 'on' THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION 'audit_events is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
