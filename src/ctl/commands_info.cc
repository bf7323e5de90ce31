// Read-mostly commands: topology, history, dsn; and remove (wipes the cluster's DCS keys).
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>

#include "core/lsn.h"
#include "core/url.h"
#include "ctl/commands.h"
#include "ctl/list.h"
#include "ctl/prompt.h"
#include "pg/connection.h"
#include "pg/render.h"

namespace pgha::ctl {
namespace {

using nlohmann::json;

// host and port of "postgres://host:port/db".
bool HostPort(const std::string& conn_url, std::string* host, std::string* port) {
  std::optional<Url> u = ParseUrl(conn_url);
  if (!u || u->host.empty()) return false;
  *host = u->host;
  *port = u->port ? std::to_string(*u->port) : "5432";
  return true;
}

}  // namespace

int Topology(const Cluster& c) {
  Result<ha::ClusterView> view = c.Load();
  if (!view.ok()) return Fail(view.message());
  std::fputs(FormatTopology(*view, c.name).c_str(), stdout);
  return kExitOk;
}

int History(const Cluster& c, const std::string& format) {
  Result<ha::ClusterView> view = c.Load();
  if (!view.ok()) return Fail(view.message());
  std::vector<std::vector<std::string>> rows;
  for (const ha::HistoryEntry& h : view->history) {
    rows.push_back({std::to_string(h.timeline), std::to_string(h.switch_lsn), h.reason, h.timestamp,
                    h.new_leader});
  }
  const std::vector<std::string> head = {"TL", "LSN", "Reason", "Timestamp", "New Leader"};
  if (format == "json") {
    json out = json::array();
    for (const auto& r : rows) {
      json row;
      for (size_t i = 0; i < head.size(); ++i)
        row[head[i]] = i < 2 ? json(std::stoull(r[i])) : json(r[i]);
      out.push_back(row);
    }
    std::printf("%s\n", out.dump().c_str());
    return kExitOk;
  }
  if (format == "tsv") {
    std::printf("TL\tLSN\tReason\tTimestamp\tNew Leader\n");
    for (const auto& r : rows) {
      std::printf("%s\t%s\t%s\t%s\t%s\n", r[0].c_str(), r[1].c_str(), r[2].c_str(), r[3].c_str(),
                  r[4].c_str());
    }
    return kExitOk;
  }
  if (format != "pretty" && format != "yaml") {
    std::fprintf(stderr, "Error: unknown format \"%s\": use pretty, json, yaml or tsv\n",
                 format.c_str());
    return kExitUsage;
  }
  if (format == "yaml") {
    for (const auto& r : rows) {
      std::printf("- TL: %s\n  LSN: %s\n  Reason: '%s'\n  Timestamp: '%s'\n  New Leader: %s\n",
                  r[0].c_str(), r[1].c_str(), r[2].c_str(), r[3].c_str(), r[4].c_str());
    }
    return kExitOk;
  }
  std::vector<size_t> width;
  for (const auto& h : head) width.push_back(h.size());
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  std::string sep = "+";
  for (size_t w : width) sep += std::string(w + 2, '-') + "+";
  auto line = [&](const std::vector<std::string>& v) {
    std::string out = "|";
    for (size_t i = 0; i < v.size(); ++i) {
      std::string pad(width[i] - v[i].size(), ' ');
      out += " " + (i < 2 ? pad + v[i] : v[i] + pad) + " |";  // numbers right-aligned
    }
    return out;
  };
  std::printf("%s\n%s\n%s\n", sep.c_str(), line(head).c_str(), sep.c_str());
  for (const auto& r : rows) std::printf("%s\n", line(r).c_str());
  std::printf("%s\n", sep.c_str());
  return kExitOk;
}

namespace {

// The member `--member` names, else one with `--role` (default: the leader), as patronictl picks:
// host and port of its conn_url, or an error to print.
Result<std::pair<std::string, std::string>> PickMember(const ha::ClusterView& view,
                                                       const std::string& cluster,
                                                       const std::string& role,
                                                       const std::string& member) {
  const ha::Member* chosen = nullptr;
  for (const ha::Member& m : view.members) {
    bool match =
        member.empty() ? RoleMatches(view, m, role.empty() ? "leader" : role) : m.name == member;
    if (match && (!chosen || view.leader == m.name)) chosen = &m;
  }
  std::string host, port;
  if (!chosen || !HostPort(chosen->conn_url, &host, &port)) {
    return Err(member.empty() ? "Can not find a suitable member"
                              : member + " is not a member of cluster " + cluster);
  }
  return std::make_pair(host, port);
}

std::string Cell(const pg::Row& row, size_t i) {
  return i < row.size() && row[i] ? *row[i] : std::string("None");  // patronictl prints None
}

std::string FormatRows(const pg::Connection::Table& t, const QueryOptions& o) {
  if (o.format == "tsv") {
    std::string out;
    auto line = [&](const std::vector<std::string>& cells) {
      for (size_t i = 0; i < cells.size(); ++i) out += (i ? o.delimiter : "") + cells[i];
      out += "\n";
    };
    if (!t.columns.empty()) line(t.columns);
    for (const auto& r : t.rows) {
      std::vector<std::string> cells;
      for (size_t i = 0; i < t.columns.size(); ++i) cells.push_back(Cell(r, i));
      line(cells);
    }
    return out;
  }
  if (o.format == "pretty") {
    std::vector<std::vector<std::string>> cells;
    for (const auto& r : t.rows) {
      cells.emplace_back();
      for (size_t i = 0; i < t.columns.size(); ++i) cells.back().push_back(Cell(r, i));
    }
    return t.columns.empty() ? "" : BoxTable("", t.columns, cells);
  }
  json rows = json::array();
  for (const auto& r : t.rows) {
    json row = json::object();
    for (size_t i = 0; i < t.columns.size(); ++i) {
      row[t.columns[i]] = i < r.size() && r[i] ? json(*r[i]) : json(nullptr);
    }
    rows.push_back(row);
  }
  return o.format == "json" ? rows.dump() + "\n" : YamlRows(rows);
}

}  // namespace

int Dsn(const Cluster& c, const std::string& role, const std::string& member) {
  if (!role.empty() && !member.empty()) {
    std::fprintf(stderr, "Error: --role and --member are mutually exclusive options\n");
    return kExitUsage;
  }
  Result<ha::ClusterView> view = c.Load();
  if (!view.ok()) return Fail(view.message());
  auto where = PickMember(*view, c.name, role, member);
  if (!where.ok()) return Fail(where.message());
  std::printf("host=%s port=%s\n", where->first.c_str(), where->second.c_str());
  return kExitOk;
}

int Query(const Cluster& c, const QueryOptions& o) {
  auto usage = [](const char* what) {
    std::fprintf(stderr, "Error: %s\n", what);
    return kExitUsage;
  };
  if (!o.role.empty() && !o.member.empty()) {
    return usage("--role and --member are mutually exclusive options");
  }
  if (!o.file.empty() && !o.command.empty()) {
    return usage("--file and --command are mutually exclusive options");
  }
  if (o.file.empty() && o.command.empty()) {
    return usage("You need to specify either --command or --file");
  }
  if (o.format != "tsv" && o.format != "pretty" && o.format != "json" && o.format != "yaml") {
    return Fail("unknown format \"" + o.format + "\": use tsv, pretty, json or yaml");
  }
  std::string sql = o.command;
  if (!o.file.empty()) {
    std::ifstream in(o.file == "-" ? "/dev/stdin" : o.file, std::ios::binary);
    if (!in) return Fail("cannot read " + o.file);
    std::ostringstream text;
    text << in.rdbuf();
    sql = text.str();
  }
  Result<ha::ClusterView> view = c.Load();
  if (!view.ok()) return Fail(view.message());
  auto where = PickMember(*view, c.name, o.role, o.member);
  if (!where.ok()) return Fail(where.message());
  config::Credentials user = c.target.config.postgresql.superuser;
  if (!o.username.empty() && o.username != user.username) {
    user = config::Credentials{};  // another user: none of the superuser's secrets
    user.username = o.username;
  }
  if (o.password) {
    Result<std::string> secret = AskSecret("Password");
    if (!secret.ok()) return Fail(secret.message());
    user.password = *secret;
  }
  std::vector<std::pair<std::string, std::string>> extra = {
      {"dbname", o.dbname.empty() ? "postgres" : o.dbname},
      {"connect_timeout", "5"},
      {"fallback_application_name", "pghactl"}};
  int port = std::atoi(where->second.c_str());
  auto conn = pg::Connection::Open(pg::UserConninfo(where->first, port, user, extra));
  if (!conn.ok()) return Fail(conn.message());
  auto table = (*conn)->QueryTable(sql);
  if (!table.ok()) return Fail(table.message());
  std::fputs(FormatRows(*table, o).c_str(), stdout);
  return kExitOk;
}

int Remove(const Cluster& c, const std::string& cluster_name) {
  Result<ha::ClusterView> view = c.Load();
  if (!view.ok()) return Fail(view.message());
  Result<std::string> name = Ask("Please confirm the cluster name to remove", "");
  if (!name.ok()) return Fail(name.message());
  if (*name != cluster_name) return Fail("Cluster names specified do not match");
  const std::string message = "Yes I am aware";
  Result<std::string> aware = Ask("You are about to remove all information in DCS for " +
                                      cluster_name + ", please type: \"" + message + "\"",
                                  "");
  if (!aware.ok()) return Fail(aware.message());
  if (*aware != message) return Fail("You did not exactly type \"" + message + "\"");
  if (view->leader) {
    Result<std::string> leader =
        Ask("This cluster currently is healthy. Please specify the leader name to continue", "");
    if (!leader.ok()) return Fail(leader.message());
    if (*leader != *view->leader)
      return Fail("You did not specify the current leader of the cluster");
  }
  Status st = c.dcs->DeleteCluster();
  if (!st.ok()) return Fail("cannot delete the cluster's keys: " + st.message());
  return kExitOk;
}

}  // namespace pgha::ctl
