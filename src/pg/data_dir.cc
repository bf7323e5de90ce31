#include "pg/data_dir.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>

namespace fs = std::filesystem;

namespace pgha::pg {

std::vector<std::string> DataDirEntries(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    if (name != "lost+found") out.push_back(name);
  }
  return out;
}

bool IsMountPoint(const std::string& dir) {
  struct stat self {
  }, parent{};
  if (::stat(dir.c_str(), &self) != 0) return false;
  if (::stat((dir + "/..").c_str(), &parent) != 0) return false;
  return self.st_dev != parent.st_dev || self.st_ino == parent.st_ino;
}

Result<std::string> MoveDataDirAside(const std::string& dir) {
  if (IsMountPoint(dir)) {
    return Err(dir + " is a mount point and cannot be moved aside; pgha never deletes data it " +
               "did not create: reinitialize this member (pghactl reinit) to replace it");
  }
  std::string target = dir + ".failed-" + std::to_string(::time(nullptr));
  std::error_code ec;
  if (fs::exists(target, ec)) target += "-" + std::to_string(::getpid());
  fs::rename(dir, target, ec);
  if (ec) return Err("cannot move " + dir + " aside to " + target + ": " + ec.message());
  const fs::path parent = fs::path(dir).parent_path();
  const std::string prefix = fs::path(dir).filename().string() + ".failed-";
  for (const auto& e : fs::directory_iterator(parent.empty() ? "." : parent, ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind(prefix, 0) != 0 || e.path() == fs::path(target)) continue;
    // only PostgreSQL's own files: what was moved aside because it held no cluster stays
    if (!fs::exists(e.path() / "PG_VERSION", ec)) continue;
    std::error_code removed;
    fs::remove_all(e.path(), removed);
    if (removed) {
      spdlog::warn("cannot remove the older moved-aside copy {}: {}", e.path().string(),
                   removed.message());
    } else {
      spdlog::warn("removed the older moved-aside copy {}: {} is the newest", e.path().string(),
                   target);
    }
  }
  fs::create_directory(dir, ec);
  if (ec) return Err("cannot create " + dir + ": " + ec.message());
  ::chmod(dir.c_str(), 0700);
  return target;
}

Status MakeRoomForNewCluster(const std::string& dir, std::string* moved_to) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    fs::create_directories(dir, ec);
    if (ec) return Err("cannot create " + dir + ": " + ec.message());
  } else if (!DataDirEntries(dir).empty()) {
    auto moved = MoveDataDirAside(dir);
    if (!moved.ok()) {
      return Err(dir + " holds files but no PostgreSQL cluster: " + moved.message());
    }
    *moved_to = *moved;
  }
  ::chmod(dir.c_str(), 0700);
  return OkStatus();
}

bool ProcessRunning(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!std::getline(f, stat)) return false;
  auto close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z' &&
         stat[close + 2] != 'X';
}

bool AnyProcessWorkingIn(const std::string& dir) {
  std::error_code ec;
  fs::path want = fs::canonical(dir, ec);
  if (ec) return false;
  for (const auto& e : fs::directory_iterator("/proc", ec)) {
    const std::string name = e.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::error_code link_ec;
    fs::path cwd = fs::read_symlink(e.path() / "cwd", link_ec);
    if (!link_ec && cwd == want && ProcessRunning(static_cast<pid_t>(std::stol(name)))) return true;
  }
  return false;
}

bool RemoveStalePostmasterPid(const std::string& dir) {
  const std::string path = dir + "/postmaster.pid";
  std::ifstream f(path);
  long pid = 0;
  if (!(f >> pid) || pid <= 0) return false;
  if (ProcessRunning(static_cast<pid_t>(pid)) || AnyProcessWorkingIn(dir)) return false;
  std::error_code ec;
  return fs::remove(path, ec);
}

std::string CloneStagingDir(const std::string& dir) {
  return IsMountPoint(dir) ? dir : dir + ".pgha-clone";
}

}  // namespace pgha::pg
