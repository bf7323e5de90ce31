#pragma once
// Readers for each section of the configuration file; each fills its part of Config.
#include "config/config.h"
#include "config/reader.h"

namespace pgha::config::internal {

// username/password; with `libpq_options` also sslmode, sslcert, ... into options.
Status ReadCredentials(const Section& s, bool libpq_options, Credentials* out);
Status ReadLog(const Section& root, Config* config);
Status ReadRestApi(const Section& root, RestApi* r);
Status ReadCtl(const Section& root, Ctl* c);
Status ReadEtcd(const Section& root, Etcd* e);
Status ReadPostgresql(const Section& root, Postgresql* pg);
Status ReadBootstrap(const Section& root, Bootstrap* b);
// postgresql.create_replica_methods and each method's section (methods_section.cc).
Status ReadReplicaMethods(const Section& postgresql, Postgresql* pg);
// postgresql.basebackup: pg_basebackup options (methods_section.cc).
Status ReadBasebackupOptions(const Section& postgresql, Postgresql* pg);
// bootstrap.<name> for bootstrap.method: name (not initdb).
Status ReadBootstrapMethod(const Section& bootstrap, const std::string& name, Bootstrap* b);
Status ReadTags(const Section& root, ha::Tags* out);
Status ReadWatchdog(const Section& root, Watchdog* w);

}  // namespace pgha::config::internal
