#pragma once
// `pgha --generate-sample-config`: a complete configuration file in Patroni's format, every key
// one pgha acts on, with pgha's defaults, for a member named `name` on `host`.
#include <string>

namespace pgha::config {

std::string SampleConfig(const std::string& name, const std::string& host);

}  // namespace pgha::config
