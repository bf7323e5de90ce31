#include "pg/guc_loader.h"

#include <chrono>

#include "pg/process.h"

namespace pgha::pg {

Result<config::GucCatalog> LoadGucCatalog(const std::string& bin_dir) {
  const std::string postgres = bin_dir + "/postgres";
  const auto timeout = std::chrono::seconds(10);
  auto version = RunCommand({postgres, "--version"}, {}, timeout);
  if (!version.ok()) return version.error();
  if (version->exit_code != 0) return Err(DescribeFailure(postgres + " --version", *version));
  int major = config::ParsePostgresMajor(version->output);
  if (major == 0) return Err("cannot read the major version from: " + version->output);
  auto described = RunCommand({postgres, "--describe-config"}, {}, timeout);
  if (!described.ok()) return described.error();
  if (described->exit_code != 0) {
    return Err(DescribeFailure(postgres + " --describe-config", *described));
  }
  return config::ParseDescribeConfig(described->output, major);
}

}  // namespace pgha::pg
