#include "dcs/config_options.h"

namespace pgha::dcs {

DcsOptions DcsOptionsFor(const config::Config& cfg, bool watch) {
  DcsOptions o;
  o.etcd.endpoints = cfg.etcd.Endpoints();
  o.etcd.username = cfg.etcd.username;
  o.etcd.password = cfg.etcd.password;
  o.etcd.cacert = cfg.etcd.cacert;
  o.etcd.cert = cfg.etcd.cert;
  o.etcd.key = cfg.etcd.key;
  o.namespace_ = cfg.namespace_;
  o.scope = cfg.scope;
  o.name = cfg.name;
  o.watch = watch;
  return o;
}

}  // namespace pgha::dcs
