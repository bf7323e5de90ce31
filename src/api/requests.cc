// Request bodies and timestamps: JSON object bodies, ISO 8601 schedules, the /config settings the
// handlers need.
#include "api/requests.h"

namespace pgha::api {

using nlohmann::json;

Checked<json> ParseJsonObject(std::string_view body, bool optional) {
  using R = Checked<json>;
  if (body.empty()) {
    return optional ? R::Accept(json::object()) : R::Refuse(400, "Bad request: empty body");
  }
  json parsed = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return R::Refuse(400, "Bad request: body is not valid JSON");
  if (!parsed.is_object()) return R::Refuse(400, "Bad request: body must be a JSON object");
  if (parsed.empty() && !optional) return R::Refuse(400, "Bad request: empty JSON object");
  return R::Accept(std::move(parsed));
}

Checked<SystemTime> ParseSchedule(const json& value, std::string_view action, SystemTime now) {
  using R = Checked<SystemTime>;
  const std::string what(action);
  std::optional<ParsedTime> parsed =
      value.is_string() ? ParseIsoTime(value.get_ref<const std::string&>()) : std::nullopt;
  if (!parsed) {
    return R::Refuse(422,
                     "Unable to parse scheduled timestamp. It should be in an unambiguous format, "
                     "e.g. ISO 8601");
  }
  if (!parsed->has_zone) {
    return R::Refuse(400, "Timezone information is mandatory for the scheduled " + what);
  }
  if (parsed->at < now) return R::Refuse(422, "Cannot schedule " + what + " in the past");
  return R::Accept(parsed->at);
}

DynamicView ReadDynamic(const std::string& config_json) {
  DynamicView out;
  json c = json::parse(config_json, nullptr, /*allow_exceptions=*/false);
  if (!c.is_object()) return out;
  out.pause = ParseBool(c.value("pause", json())).value_or(false);
  json sync = c.value("synchronous_mode", json());
  out.synchronous_mode = sync.is_string() ? sync == "quorum" || ParseBool(sync).value_or(false)
                                          : ParseBool(sync).value_or(false);
  json loop_wait = c.value("loop_wait", json());
  if (loop_wait.is_number_integer() && loop_wait.get<int64_t>() > 0 &&
      loop_wait.get<int64_t>() < 3600) {
    out.loop_wait = loop_wait.get<int>();
  }
  return out;
}

std::optional<bool> ParseBool(const json& value) {
  if (value.is_boolean()) return value.get<bool>();
  std::string text;
  if (value.is_number_integer()) {
    text = std::to_string(value.get<int64_t>());
  } else if (value.is_string()) {
    for (char c : value.get_ref<const std::string&>()) text += static_cast<char>(std::tolower(c));
  } else {
    return std::nullopt;
  }
  if (text == "on" || text == "true" || text == "yes" || text == "1") return true;
  if (text == "off" || text == "false" || text == "no" || text == "0") return false;
  return std::nullopt;
}

bool MergePatch(json& target, const json& patch) {
  if (!patch.is_object()) {
    bool changed = target != patch;
    target = patch;
    return changed;
  }
  bool changed = false;
  if (!target.is_object()) {
    target = json::object();
    changed = true;
  }
  for (const auto& [key, value] : patch.items()) {
    if (value.is_null()) {
      changed = target.erase(key) > 0 || changed;
    } else if (value.is_object() && target.contains(key) && target[key].is_object()) {
      changed = MergePatch(target[key], value) || changed;
    } else if (!target.contains(key) || target[key] != value) {
      // As Patroni's patch_config: a value for a key the target lacks (or holds as no object)
      // goes in as given, nulls inside it included: {"slots": {"s1": null}} adds the
      // physical slot s1 (its features rely on it), where RFC 7386 would drop it.
      target[key] = value;
      changed = true;
    }
  }
  return changed;
}

}  // namespace pgha::api
