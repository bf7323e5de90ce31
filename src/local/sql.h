#pragma once
// libpq steps of `up`: the app role and database, and init_sql files, through HAProxy.
#include <chrono>
#include <string>

#include "core/result.h"
#include "local/plan.h"

namespace pgha::ctl {

// Waits (until `timeout`) for the write port to route to a writable primary, then creates the
// app role (LOGIN PASSWORD) and database (OWNER app) when missing.
Status EnsureAppRoleAndDatabase(const LocalCluster& c, std::chrono::seconds timeout);
// Runs a whole .sql file once with PQexec, as the app user on the app database.
Status RunSqlFile(const LocalCluster& c, const std::string& path);

// Conninfo for libpq ("host=127.0.0.1 port=… user=… password=… dbname=…").
std::string Conninfo(int port, const Role& role, const std::string& dbname);
// postgresql://user:pw@127.0.0.1:port/db with the user and password percent-encoded.
std::string ConnectionUrl(int port, const Role& role, const std::string& dbname);

}  // namespace pgha::ctl
