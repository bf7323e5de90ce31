#pragma once
// DcsOptions from a configuration file: the etcd section, namespace, scope and member name.
#include "config/config.h"
#include "dcs/dcs.h"

namespace pgha::dcs {

DcsOptions DcsOptionsFor(const config::Config& cfg, bool watch);

}  // namespace pgha::dcs
