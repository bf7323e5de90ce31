// LoadConfigFile: one YAML file, or a directory of *.yml / *.yaml merged in name order.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/config.h"
#include "config/parse.h"
#include "config/yaml_util.h"

namespace pgha::config {
namespace internal {
namespace {

namespace fs = std::filesystem;

Result<std::string> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Err("cannot read configuration file " + path + ": " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Err("cannot read configuration file " + path + ": read error");
  return text.str();
}

Result<YAML::Node> ReadYamlFile(const std::string& path) {
  auto text = ReadText(path);
  if (!text.ok()) return text.error();
  auto root = ParseYaml(*text);
  if (!root.ok()) return Err(path + ": " + root.message());
  if (root->IsDefined() && !root->IsNull() && !root->IsMap()) {
    return Err(path + ": expected a mapping at the top level");
  }
  return *root;
}

Result<std::vector<std::string>> YamlFilesIn(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string ext = entry.path().extension().string();
    if (entry.is_regular_file() && (ext == ".yml" || ext == ".yaml")) {
      files.push_back(entry.path().string());
    }
  }
  if (ec) return Err("cannot read configuration directory " + dir + ": " + ec.message());
  if (files.empty()) return Err("configuration directory " + dir + " has no *.yml or *.yaml file");
  std::sort(files.begin(), files.end());
  return files;
}

Result<YAML::Node> ReadYamlDirectory(const std::string& dir) {
  auto files = YamlFilesIn(dir);
  if (!files.ok()) return files.error();
  YAML::Node merged(YAML::NodeType::Map);
  for (const std::string& file : *files) {
    auto root = ReadYamlFile(file);
    if (!root.ok()) return root.error();
    if (root->IsMap()) MergeYaml(merged, *root);
  }
  return merged;
}

}  // namespace
}  // namespace internal

namespace {

Result<Config> Load(const std::string& path, const Env& env, bool ctl_only) {
  std::string var;
  if (internal::ConfigurationFromEnv(env, &var) != nullptr) {
    auto config = ParseConfig("", env);
    if (config.ok())
      config->warnings.insert(config->warnings.begin(), var + " is set: " + path + " was not read");
    return config;
  }
  try {
    std::error_code ec;
    bool dir = std::filesystem::is_directory(path, ec);
    auto root = dir ? internal::ReadYamlDirectory(path) : internal::ReadYamlFile(path);
    if (!root.ok()) return root.error();
    return internal::ParseTree(*root, env, {}, ctl_only);
  } catch (const std::exception& e) {
    return Err("cannot load configuration " + path + ": " + e.what());
  }
}

}  // namespace

Result<Config> LoadConfigFile(const std::string& path, const Env& env) {
  return Load(path, env, /*ctl_only=*/false);
}

Result<Config> LoadCtlConfigFile(const std::string& path, const Env& env) {
  return Load(path, env, /*ctl_only=*/true);
}

}  // namespace pgha::config
