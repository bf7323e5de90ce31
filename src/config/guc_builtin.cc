// Built-in knowledge of PostgreSQL's parameters that `postgres --describe-config` does not print:
// base units, enum values, and settable parameters the command leaves out. Taken from
// pg_settings of PostgreSQL 15 (the major the tests run), plus the additions of 16 and 17.
// A running server's pg_settings replaces these (GucCatalog, AddSettingsRows).
#include "config/guc_catalog.h"

namespace pgha::config::internal {

const std::map<std::string, std::string>& BuiltinUnits() {
  static const std::map<std::string, std::string> kUnits = {
      {"archive_timeout", "s"},
      {"authentication_timeout", "s"},
      {"autovacuum_naptime", "s"},
      {"autovacuum_vacuum_cost_delay", "ms"},
      {"autovacuum_work_mem", "kB"},
      {"backend_flush_after", "8kB"},
      {"bgwriter_delay", "ms"},
      {"bgwriter_flush_after", "8kB"},
      {"checkpoint_flush_after", "8kB"},
      {"checkpoint_timeout", "s"},
      {"checkpoint_warning", "s"},
      {"client_connection_check_interval", "ms"},
      {"deadlock_timeout", "ms"},
      {"effective_cache_size", "8kB"},
      {"gin_pending_list_limit", "kB"},
      {"huge_page_size", "kB"},
      {"idle_in_transaction_session_timeout", "ms"},
      {"idle_session_timeout", "ms"},
      {"lock_timeout", "ms"},
      {"log_autovacuum_min_duration", "ms"},
      {"log_min_duration_sample", "ms"},
      {"log_min_duration_statement", "ms"},
      {"log_parameter_max_length", "B"},
      {"log_parameter_max_length_on_error", "B"},
      {"log_rotation_age", "min"},
      {"log_rotation_size", "kB"},
      {"log_startup_progress_interval", "ms"},
      {"log_temp_files", "kB"},
      {"logical_decoding_work_mem", "kB"},
      {"maintenance_work_mem", "kB"},
      {"max_slot_wal_keep_size", "MB"},
      {"max_stack_depth", "kB"},
      {"max_standby_archive_delay", "ms"},
      {"max_standby_streaming_delay", "ms"},
      {"max_wal_size", "MB"},
      {"min_dynamic_shared_memory", "MB"},
      {"min_parallel_index_scan_size", "8kB"},
      {"min_parallel_table_scan_size", "8kB"},
      {"min_wal_size", "MB"},
      {"old_snapshot_threshold", "min"},
      {"post_auth_delay", "s"},
      {"pre_auth_delay", "s"},
      {"recovery_min_apply_delay", "ms"},
      {"segment_size", "8kB"},
      {"shared_buffers", "8kB"},
      {"shared_memory_size", "MB"},
      {"statement_timeout", "ms"},
      {"tcp_keepalives_idle", "s"},
      {"tcp_keepalives_interval", "s"},
      {"tcp_user_timeout", "ms"},
      {"temp_buffers", "8kB"},
      {"temp_file_limit", "kB"},
      {"track_activity_query_size", "B"},
      {"vacuum_cost_delay", "ms"},
      {"wal_buffers", "8kB"},
      {"wal_decode_buffer_size", "B"},
      {"wal_keep_size", "MB"},
      {"wal_receiver_status_interval", "s"},
      {"wal_receiver_timeout", "ms"},
      {"wal_retrieve_retry_interval", "ms"},
      {"wal_segment_size", "B"},
      {"wal_sender_timeout", "ms"},
      {"wal_skip_threshold", "kB"},
      {"wal_writer_delay", "ms"},
      {"wal_writer_flush_after", "8kB"},
      {"work_mem", "kB"},
      // PostgreSQL 16 and 17.
      {"vacuum_buffer_usage_limit", "kB"},
      {"transaction_timeout", "ms"},
      {"wal_summary_keep_time", "min"},
      {"io_combine_limit", "8kB"},
      {"commit_timestamp_buffers", "8kB"},
      {"multixact_member_buffers", "8kB"},
      {"multixact_offset_buffers", "8kB"},
      {"notify_buffers", "8kB"},
      {"serializable_buffers", "8kB"},
      {"subtransaction_buffers", "8kB"},
      {"transaction_buffers", "8kB"},
  };
  return kUnits;
}

const std::map<std::string, std::vector<std::string>>& BuiltinEnums() {
  static const std::map<std::string, std::vector<std::string>> kEnums = {
      {"intervalstyle", {"postgres", "postgres_verbose", "sql_standard", "iso_8601"}},
      {"archive_mode", {"always", "on", "off"}},
      {"backslash_quote", {"safe_encoding", "on", "off"}},
      {"bytea_output", {"escape", "hex"}},
      {"client_min_messages",
       {"debug5", "debug4", "debug3", "debug2", "debug1", "log", "notice", "warning", "error"}},
      {"compute_query_id", {"auto", "regress", "on", "off"}},
      {"constraint_exclusion", {"partition", "on", "off"}},
      {"default_toast_compression", {"pglz", "lz4"}},
      {"default_transaction_isolation",
       {"serializable", "repeatable read", "read committed", "read uncommitted"}},
      {"dynamic_shared_memory_type", {"posix", "sysv", "mmap"}},
      {"force_parallel_mode", {"off", "on", "regress"}},
      {"huge_pages", {"off", "on", "try"}},
      {"log_error_verbosity", {"terse", "default", "verbose"}},
      {"log_min_error_statement",
       {"debug5", "debug4", "debug3", "debug2", "debug1", "info", "notice", "warning", "error",
        "log", "fatal", "panic"}},
      {"log_min_messages",
       {"debug5", "debug4", "debug3", "debug2", "debug1", "info", "notice", "warning", "error",
        "log", "fatal", "panic"}},
      {"log_statement", {"none", "ddl", "mod", "all"}},
      {"password_encryption", {"md5", "scram-sha-256"}},
      {"plan_cache_mode", {"auto", "force_generic_plan", "force_custom_plan"}},
      {"recovery_init_sync_method", {"fsync", "syncfs"}},
      {"recovery_prefetch", {"off", "on", "try"}},
      {"recovery_target_action", {"pause", "promote", "shutdown"}},
      {"session_replication_role", {"origin", "replica", "local"}},
      {"shared_memory_type", {"sysv", "mmap"}},
      {"ssl_max_protocol_version", {"", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"}},
      {"ssl_min_protocol_version", {"TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"}},
      {"stats_fetch_consistency", {"none", "cache", "snapshot"}},
      {"synchronous_commit", {"local", "remote_write", "remote_apply", "on", "off"}},
      {"syslog_facility",
       {"local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"}},
      {"trace_recovery_messages",
       {"debug5", "debug4", "debug3", "debug2", "debug1", "log", "notice", "warning", "error"}},
      {"track_functions", {"none", "pl", "all"}},
      {"wal_compression", {"pglz", "lz4", "zstd", "on", "off"}},
      {"wal_level", {"minimal", "replica", "logical"}},
      {"wal_sync_method", {"fsync", "fdatasync", "open_sync", "open_datasync"}},
      {"xmlbinary", {"base64", "hex"}},
      {"xmloption", {"content", "document"}},
      // PostgreSQL 16 and 17.
      {"debug_parallel_query", {"off", "on", "regress"}},
      {"debug_logical_replication_streaming", {"buffered", "immediate"}},
      {"icu_validation_level",
       {"disabled", "debug5", "debug4", "debug3", "debug2", "debug1", "log", "notice", "warning",
        "error"}},
  };
  return kEnums;
}

std::vector<GucSpec> BuiltinHidden(int major) {
  auto boolean = [](const char* name) { return GucSpec{name, GucType::kBool}; };
  std::vector<GucSpec> out = {
      boolean("allow_system_table_mods"),
      GucSpec{"application_name", GucType::kString},
      GucSpec{"backtrace_functions", GucType::kString},
      boolean("ignore_checksum_failure"),
      boolean("ignore_invalid_pages"),
      boolean("ignore_system_indexes"),
      boolean("jit_debugging_support"),
      boolean("jit_dump_bitcode"),
      boolean("jit_expressions"),
      boolean("jit_profiling_support"),
      boolean("jit_tuple_deforming"),
      GucSpec{"post_auth_delay", GucType::kInteger, 0, 2147, "s"},
      GucSpec{"pre_auth_delay", GucType::kInteger, 0, 60, "s"},
      boolean("trace_notify"),
      boolean("trace_sort"),
      GucSpec{"wal_consistency_checking", GucType::kString},
      boolean("zero_damaged_pages"),
  };
  if (major >= 14) {
    out.push_back(boolean("allow_in_place_tablespaces"));
    out.push_back(boolean("remove_temp_files_after_crash"));
    out.push_back(GucSpec{"debug_discard_caches", GucType::kInteger, 0, 0});
    out.push_back(GucSpec{"restrict_nonsystem_relation_kind", GucType::kString});
  }
  if (major <= 15) out.push_back(GucSpec{"force_parallel_mode", GucType::kEnum});
  if (major >= 16) out.push_back(GucSpec{"debug_parallel_query", GucType::kEnum});
  if (major <= 16) out.push_back(GucSpec{"trace_recovery_messages", GucType::kEnum});
  return out;
}

std::vector<std::string> EnumSynonyms(const std::string& name,
                                      const std::vector<std::string>& values, int major) {
  std::vector<std::string> out;
  auto has = [&](const char* v) {
    for (const auto& x : values) {
      if (x == v) return true;
    }
    return false;
  };
  if (has("on")) out.insert(out.end(), {"true", "false", "yes", "no", "1", "0"});
  if (has("debug2")) out.push_back("debug");
  if (name == "wal_level") out.insert(out.end(), {"archive", "hot_standby"});
  if (name == "password_encryption" && major > 0 && major <= 13) out.push_back("on");
  return out;
}

}  // namespace pgha::config::internal
