// Cluster-wide configuration: pause/resume (PATCH /config over REST), show-config and edit-config
// (YAML of /config, CAS write straight to the DCS, as patronictl).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "api/requests.h"
#include "ctl/commands.h"
#include "ctl/edit_config.h"
#include "ctl/prompt.h"
#include "pg/guc_loader.h"
#include "pg/postgres.h"

namespace pgha::ctl {
namespace {

using nlohmann::json;

json ConfigOf(const ha::ClusterView& view) {
  json config = json::parse(view.config_json, nullptr, /*allow_exceptions=*/false);
  return config.is_object() ? config : json::object();
}

// PostgreSQL's parameters from the binaries on this machine (postgresql.bin_dir of the pghactl
// config, else the newest installed major); without them parameters are checked for name and
// shape only, and the agents still drop what their own PostgreSQL would refuse.
std::shared_ptr<const config::GucCatalog> LocalGucs(const Cluster& c) {
  auto bin_dir = pg::FindBinDir(c.target.config.postgresql.bin_dir);
  auto gucs =
      bin_dir.ok() ? pg::LoadGucCatalog(*bin_dir) : Result<config::GucCatalog>(bin_dir.error());
  if (gucs.ok()) return std::make_shared<const config::GucCatalog>(std::move(gucs).value());
  std::fprintf(stderr, "Warning: PostgreSQL parameters checked for name and shape only: %s\n",
               gucs.message().c_str());
  return nullptr;
}

bool AllPublish(const ha::ClusterView& view, bool pause) {
  for (const ha::Member& m : view.members) {
    if (m.pause != pause) return false;
  }
  return true;
}

int WaitForPause(const Cluster& c, bool pause, int loop_wait) {
  std::printf("'%s' request sent, waiting until it is recognized by all nodes\n",
              pause ? "pause" : "resume");
  std::fflush(stdout);
  auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(std::max(10, 2 * loop_wait + 2));
  std::string remaining;
  while (std::chrono::steady_clock::now() < deadline) {
    Result<ha::ClusterView> view = c.Load();
    if (view.ok() && AllPublish(*view, pause)) {
      std::printf("Success: cluster management is %s\n", pause ? "paused" : "resumed");
      return kExitOk;
    }
    if (view.ok()) {
      remaining.clear();
      for (const ha::Member& m : view->members) {
        if (m.pause != pause) remaining += (remaining.empty() ? "" : ", ") + m.name;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  std::printf("%s members didn't recognized pause state after %d seconds\n", remaining.c_str(),
              std::max(10, 2 * loop_wait + 2));
  return kExitFailed;
}

Result<std::string> ReadFileOrStdin(const std::string& name) {
  std::stringstream text;
  if (name == "-") {
    text << std::cin.rdbuf();
    return text.str();
  }
  std::ifstream in(name);
  if (!in) return Err("cannot read " + name);
  text << in.rdbuf();
  return text.str();
}

Result<json> RunEditor(const std::string& before) {
  const char* env = std::getenv("EDITOR");
  std::string editor = env && *env ? env : "";
  if (editor.empty()) {
    for (const char* e : {"editor", "vi"}) {
      if (std::system((std::string("command -v ") + e + " >/dev/null 2>&1").c_str()) == 0) {
        editor = e;
        break;
      }
    }
  }
  if (editor.empty()) {
    return Err("EDITOR environment variable is not set. editor or vi are not available");
  }
  char path[] = "/tmp/pghactl-config-XXXXXX.yaml";
  int fd = ::mkstemps(path, 5);
  if (fd < 0) return Err("cannot create a temporary file");
  ::close(fd);
  std::ofstream(path) << before;
  int rc = std::system((editor + " '" + path + "'").c_str());
  Result<std::string> edited = ReadFileOrStdin(path);
  ::unlink(path);
  if (rc != 0) return Err("Editor exited with return code " + std::to_string(rc));
  if (!edited.ok()) return edited.error();
  return YamlToJson(*edited);
}

Result<json> Edited(const json& config, const std::string& before, const EditOptions& o) {
  json changed = config;
  if (!o.replace.empty()) {
    Result<std::string> text = ReadFileOrStdin(o.replace);
    if (!text.ok()) return text.error();
    Result<json> parsed = YamlToJson(*text);
    if (!parsed.ok()) return parsed.error();
    if (!parsed->is_object()) return Err(o.replace + ": the configuration must be a mapping");
    changed = *parsed;
  }
  if (!o.apply.empty()) {
    Result<std::string> text = ReadFileOrStdin(o.apply);
    if (!text.ok()) return text.error();
    Result<json> parsed = YamlToJson(*text);
    if (!parsed.ok()) return parsed.error();
    if (!parsed->is_object()) return Err(o.apply + ": the changes must be a mapping");
    api::MergePatch(changed, *parsed);
  }
  Result<json> set = ApplySetPairs(changed, o.set, false);
  if (!set.ok()) return set.error();
  Result<json> pg = ApplySetPairs(*set, o.pg, true);
  if (!pg.ok()) return pg.error();
  if (o.set.empty() && o.pg.empty() && o.apply.empty() && o.replace.empty()) {
    Result<json> edited = RunEditor(before);
    if (!edited.ok()) return edited.error();
    if (!edited->is_object()) return Err("the edited configuration must be a mapping");
    return edited;
  }
  return pg;
}

}  // namespace

int TogglePause(const Cluster& c, bool pause, bool wait) {
  Result<ha::ClusterView> view = c.Load();
  if (!view.ok()) return Fail(view.message());
  if (api::ReadDynamic(view->config_json).pause == pause) {
    return Fail(std::string("Cluster is ") + (pause ? "already" : "not") + " paused");
  }
  std::vector<ha::Member> order;
  if (const ha::Member* l = view->LeaderMember()) order.push_back(*l);
  for (const ha::Member& m : view->members) {
    if (view->leader != m.name) order.push_back(m);
  }
  json patch = {{"pause", pause ? json(true) : json()}};
  for (const ha::Member& m : order) {
    Result<RestReply> r = c.rest->Call(m, "PATCH", "config", patch);
    if (!r.ok()) {
      std::fprintf(stderr, "Member %s is not accessible: %s\n", m.name.c_str(),
                   r.message().c_str());
      continue;
    }
    if (r->status != 200) {
      std::printf("Failed: %s cluster management status code=%d, (%s)\n",
                  pause ? "pause" : "resume", r->status, r->body.c_str());
      return kExitFailed;
    }
    if (wait) return WaitForPause(c, pause, api::ReadDynamic(view->config_json).loop_wait);
    std::printf("Success: cluster management is %s\n", pause ? "paused" : "resumed");
    return kExitOk;
  }
  return Fail("Can not find accessible cluster member");
}

int ShowConfig(const Cluster& c) {
  Result<ha::ClusterView> view = c.Load();
  if (!view.ok()) return Fail(view.message());
  std::fputs(JsonToYaml(ConfigOf(*view)).c_str(), stdout);
  return kExitOk;
}

int EditConfig(const Cluster& c, const EditOptions& o) {
  Result<ha::ClusterView> view = c.Load();
  if (!view.ok()) return Fail(view.message());
  json config = ConfigOf(*view);
  std::string before = JsonToYaml(config);
  Result<json> changed = Edited(config, before, o);
  if (!changed.ok()) return Fail(changed.message());
  std::string after = JsonToYaml(*changed);
  if (*changed == config) {
    std::printf("Not changed\n");
    return kExitOk;
  }
  // As PATCH /config: refuse what the edit breaks, before asking or writing anything.
  std::vector<std::string> warnings;
  auto gucs = LocalGucs(c);
  Status valid = config::ValidateDynamicChange(config, *changed, gucs.get(), &warnings);
  for (const auto& w : warnings) std::fprintf(stderr, "Warning: %s\n", w.c_str());
  if (!valid.ok()) return Fail("invalid configuration, nothing changed: " + valid.message());
  if (!o.quiet) std::fputs(UnifiedDiff(before, after, "before", "after").c_str(), stdout);
  Result<bool> yes = Confirm("Apply these changes?", o.force);
  if (!yes.ok()) return Fail(yes.message());
  if (!*yes) return Fail("Aborted: no changes applied");
  Result<bool> written = c.dcs->WriteConfig(changed->dump(), view->config_mod_revision);
  if (!written.ok()) return Fail("cannot write /config: " + written.message());
  if (!*written) return Fail("Config modification aborted due to concurrent changes");
  std::printf("Configuration changed\n");
  return kExitOk;
}

}  // namespace pgha::ctl
