#pragma once
// yaml-cpp at the module boundary: parsing without exceptions, YAML -> JSON with PyYAML's
// (YAML 1.1) scalar typing so values match what Patroni would store, and tree merging.
#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>
#include <string>

#include "core/result.h"

namespace pgha::config::internal {

// "YAML syntax error at line L, column C: <reason>" (1-based) on bad input.
Result<YAML::Node> ParseYaml(const std::string& text);

// Plain scalars are typed like PyYAML: null, on/off/yes/no/true/false, integers (no leading
// zeros: "0750" stays a string), decimals with a dot; quoted scalars stay strings.
nlohmann::json ScalarToJson(const YAML::Node& scalar);
nlohmann::json NodeToJson(const YAML::Node& node);

// `node` as shown in messages: a scalar quoted ("5432"), else "a list" / "a mapping".
std::string Describe(const YAML::Node& node);

// Patroni's patch_config for a directory of files: mappings merge, other values replace.
void MergeYaml(YAML::Node base, const YAML::Node& top);

}  // namespace pgha::config::internal
