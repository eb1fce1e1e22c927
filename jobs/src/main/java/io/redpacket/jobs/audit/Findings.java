package io.redpacket.jobs.audit;

import io.redpacket.avro.AuditResult;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.metrics.Counter;

/** The findings of the continuous audit: records for audit-results, and the violation counter Prometheus alerts on. */
final class Findings {
  static final String UNBALANCED_ENTRY = "UNBALANCED_ENTRY";
  static final String RESERVED_TWICE = "RESERVED_TWICE";
  static final String SETTLED_TWICE = "SETTLED_TWICE";
  static final String NO_GRANT = "NO_GRANT";
  static final String WRONG_AMOUNT = "WRONG_AMOUNT";
  static final String POOL_UNBALANCED = "POOL_UNBALANCED";
  static final String WALLET_MISMATCH = "WALLET_MISMATCH";

  private Findings() {}

  /** flink_taskmanager_job_task_operator_redpacket_audit_violations_total, per operator. */
  static Counter violations(RuntimeContext context) {
    return context.getMetricGroup().addGroup("redpacket").counter("audit_violations_total");
  }

  /** flink_taskmanager_job_task_operator_redpacket_audit_checked_total: records checked, so a dashboard sees it running. */
  static Counter checked(RuntimeContext context) {
    return context.getMetricGroup().addGroup("redpacket").counter("audit_checked_total");
  }

  static AuditResult of(String check, int invariant, String subject, String poolId, String detail, long eventTime) {
    return AuditResult.newBuilder().setCheck(check).setInvariant(invariant).setSubject(subject).setPoolId(poolId)
        .setDetail(detail).setDetectedMillis(System.currentTimeMillis()).setTimestamp(eventTime).build();
  }
}
