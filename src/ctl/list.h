#pragma once
// `pghactl list`: the cluster table (and its json/yaml/tsv forms) from one DCS read.
#include <nlohmann/json.hpp>
#include <string>

#include "core/result.h"
#include "ha/cluster.h"

namespace pgha::ctl {

struct ListRow {
  std::string member, host, role, state, reason;
  std::optional<uint32_t> timeline;
  std::optional<uint64_t> receive_lsn, replay_lsn;
  std::optional<uint64_t> receive_lag, replay_lag;  // bytes behind the leader
  bool pending_restart = false;
};

std::vector<ListRow> ListRows(const ha::ClusterView& view);
// format: pretty | json | yaml | tsv. Unknown formats are an error naming the value.
Result<std::string> FormatList(const ha::ClusterView& view, const std::string& scope,
                               const std::string& format);
// `pghactl topology`: the pretty table with replicas indented under their upstream.
std::string FormatTopology(const ha::ClusterView& view, const std::string& scope);

// patronictl's pretty table: `title` (may be empty) set into the top border, the head, the rows.
std::string BoxTable(const std::string& title, const std::vector<std::string>& head,
                     const std::vector<std::vector<std::string>>& cells);
// A JSON array of objects as patronictl's yaml output: "- key: value" per row.
std::string YamlRows(const nlohmann::json& rows);

}  // namespace pgha::ctl
