#include "agent/log_format.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <string_view>

namespace pgha::agent {
namespace {

// %* : the level as Python's logging names it.
class PythonLevel : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    std::string_view name;
    switch (msg.level) {
      case spdlog::level::trace:
      case spdlog::level::debug:
        name = "DEBUG";
        break;
      case spdlog::level::info:
        name = "INFO";
        break;
      case spdlog::level::warn:
        name = "WARNING";
        break;
      case spdlog::level::err:
        name = "ERROR";
        break;
      default:
        name = "CRITICAL";
        break;
    }
    dest.append(name.data(), name.data() + name.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<PythonLevel>();
  }
};

}  // namespace

void UsePatroniLogFormat(const std::string& member) {
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<PythonLevel>('*').set_pattern("%Y-%m-%d %H:%M:%S,%e %*: [" + member + "] %v");
  spdlog::set_formatter(std::move(formatter));
}

}  // namespace pgha::agent
