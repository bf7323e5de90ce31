#pragma once
// `pghactl edit-config` / `show-config`, the pure part: /config JSON <-> YAML, patronictl's
// `-s key=val` (dotted paths, YAML values, null deletes) and `-p param=val`, and the unified diff
// shown before writing.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/result.h"

namespace pgha::ctl {

// YAML text (block or flow) -> JSON, scalars typed as PyYAML's safe_load does for the common
// cases (null/~, true/false/yes/no/on/off, integers, floats; quoted scalars stay strings).
Result<nlohmann::json> YamlToJson(const std::string& text);
// JSON -> block YAML with sorted keys; strings that would read back as another type are quoted.
std::string JsonToYaml(const nlohmann::json& value);

// Applies "a.b.c=value" pairs to `config`. Below postgresql.parameters the rest of the path is one
// GUC name (it may contain dots). A null value deletes; emptied objects disappear. With
// `postgresql_parameter` the pairs are "param=value" under postgresql.parameters.
Result<nlohmann::json> ApplySetPairs(nlohmann::json config, const std::vector<std::string>& pairs,
                                     bool postgresql_parameter);

// A unified diff of two texts (3 lines of context); empty when they are equal.
std::string UnifiedDiff(const std::string& before, const std::string& after,
                        const std::string& before_label, const std::string& after_label);

}  // namespace pgha::ctl
