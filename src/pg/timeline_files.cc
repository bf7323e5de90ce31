#include "pg/timeline_files.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "core/lsn.h"

namespace pgha::pg {
namespace fs = std::filesystem;

std::vector<TimelineSwitch> WithSkippedTimelines(const std::vector<TimelineSwitch>& lineage,
                                                 uint32_t current) {
  std::vector<TimelineSwitch> out;
  for (size_t i = 0; i < lineage.size(); ++i) {
    out.push_back(lineage[i]);
    uint32_t child = i + 1 < lineage.size() ? lineage[i + 1].timeline : current;
    for (uint32_t g = lineage[i].timeline + 1; g < child; ++g) {
      out.push_back(TimelineSwitch{g, lineage[i].switch_lsn, kSkippedTimelineReason});
    }
  }
  return out;
}

uint32_t HighestSegmentTimeline(const std::string& data_dir) {
  uint32_t best = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(fs::path(data_dir) / "pg_wal", ec)) {
    const std::string name = e.path().filename().string();
    if (name.size() != 24 || name.find_first_not_of("0123456789ABCDEF") != std::string::npos) {
      continue;
    }
    best = std::max(best, static_cast<uint32_t>(std::stoul(name.substr(0, 8), nullptr, 16)));
  }
  return best;
}

Result<uint32_t> ReserveTimelineNumbers(const std::string& pg_wal, uint32_t current, uint64_t lsn,
                                        uint32_t at_least, const std::string& parent_history) {
  if (current == 0) return Err("the current timeline is unknown");
  for (uint32_t tl = current + 1; tl != 0; ++tl) {
    char name[32];
    std::snprintf(name, sizeof name, "%08X.history", tl);
    const fs::path path = fs::path(pg_wal) / name;
    std::error_code ec;
    if (fs::exists(path, ec)) continue;
    if (ec) return Err("cannot look at " + path.string() + ": " + ec.message());
    if (tl >= at_least) return tl;
    const fs::path tmp = path.string() + ".pgha-tmp";
    {
      std::ofstream f(tmp, std::ios::trunc);
      f << parent_history;
      if (!parent_history.empty() && parent_history.back() != '\n') f << '\n';
      f << current << '\t' << Lsn{lsn}.ToString() << '\t' << kSkippedTimelineReason << '\n';
      f.flush();
      if (!f) return Err("cannot write " + tmp.string());
    }
    fs::rename(tmp, path, ec);
    if (ec)
      return Err("cannot rename " + tmp.string() + " to " + path.string() + ": " + ec.message());
  }
  return Err("no timeline number is left");
}

}  // namespace pgha::pg
