#include "local/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "local/render.h"

namespace pgha::ctl {
namespace {

namespace fs = std::filesystem;

bool CanTraverse(const struct stat& st, const RunAs& user) {
  if (st.st_uid == user.uid) return (st.st_mode & S_IXUSR) != 0;
  bool in_group = st.st_gid == user.gid ||
                  std::find(user.groups.begin(), user.groups.end(), st.st_gid) != user.groups.end();
  if (in_group) return (st.st_mode & S_IXGRP) != 0;
  return (st.st_mode & S_IXOTH) != 0;
}

Status MakeDir(const std::string& path, mode_t mode, const std::optional<RunAs>& owner) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) return Err("cannot create " + path + ": " + ec.message());
  if (::chmod(path.c_str(), mode) != 0) {
    return Err("cannot chmod " + path + ": " + std::strerror(errno));
  }
  if (owner && ::chown(path.c_str(), owner->uid, owner->gid) != 0) {
    return Err("cannot chown " + path + ": " + std::strerror(errno));
  }
  return OkStatus();
}

}  // namespace

Status WriteFileAs(const std::string& path, const std::string& content, mode_t mode,
                   const std::optional<RunAs>& owner) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return Err("cannot write " + tmp + ": " + std::strerror(errno));
  bool ok = ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
  ok = ok && ::fchmod(fd, mode) == 0;
  ok = ok && (!owner || ::fchown(fd, owner->uid, owner->gid) == 0);
  int err = errno;
  ::close(fd);
  if (!ok) return Err("cannot write " + tmp + ": " + std::strerror(err));
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return Err("cannot write " + path + ": " + std::strerror(errno));
  }
  return OkStatus();
}

Status CheckTraversable(const std::string& path, const RunAs& user) {
  fs::path current("/");
  for (const auto& part : fs::path(path).relative_path()) {
    struct stat st {};
    if (::stat(current.c_str(), &st) == 0 && S_ISDIR(st.st_mode) && !CanTraverse(st, user)) {
      return Err(current.string() + " is not traversable by OS user '" + user.name +
                 "' (the agents run as that user); `chmod o+x " + current.string() +
                 "` or choose another --dir");
    }
    current /= part;
  }
  return OkStatus();
}

Status PrepareLocalDir(const LocalContext& ctx) {
  const LocalLayout& l = ctx.layout;
  const std::optional<RunAs> none;
  PGHA_TRY(MakeDir(l.dir, 0755, none));
  if (ctx.pg_user) PGHA_TRY(CheckTraversable(l.dir + "/x", *ctx.pg_user));
  PGHA_TRY(MakeDir(l.PidDir(), 0755, none));
  PGHA_TRY(SaveCluster(ctx));
  for (int j = 1; j <= ctx.cluster.members(); ++j) PGHA_TRY(MakeDir(l.EtcdDir(j), 0700, none));
  for (int i = 1; i <= ctx.cluster.nodes(); ++i) {
    PGHA_TRY(MakeDir(l.NodeDir(i), 0700, ctx.pg_user));
    PGHA_TRY(WriteFileAs(l.NodeConfig(i), RenderAgentYaml(ctx.cluster, l, i), 0600, ctx.pg_user));
  }
  return WriteFileAs(l.HaproxyCfg(), RenderHaproxyCfg(ctx.cluster), 0644, none);
}

}  // namespace pgha::ctl
