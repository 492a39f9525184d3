-- CreateIndex
CREATE INDEX "audit_events_actor_user_id_seq_idx" ON "audit_events"("actor_user_id", "seq");
