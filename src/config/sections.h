#pragma once
// Readers for each section of the configuration file; each fills its part of Config.
#include "config/config.h"
#include "config/reader.h"

namespace pgha::config::internal {

// username/password; with `libpq_options` also sslmode, sslcert, ... into options.
Status ReadCredentials(const Section& s, bool libpq_options, Credentials* out);
Status ReadLog(const Section& root, Config* config);
Status ReadRestApi(const Section& root, RestApi* out);
Status ReadCtl(const Section& root, Ctl* out);
Status ReadEtcd(const Section& root, Etcd* out);
Status ReadPostgresql(const Section& root, Postgresql* out);
Status ReadBootstrap(const Section& root, Bootstrap* out);
Status ReadTags(const Section& root, ha::Tags* out);
Status ReadWatchdog(const Section& root, Watchdog* out);

}  // namespace pgha::config::internal
