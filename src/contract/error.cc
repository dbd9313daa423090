#include "contract/error.h"

#include <nlohmann/json.hpp>

namespace onair::contract {

std::string WriteError(std::string_view message, const ErrorFields& more) {
  nlohmann::json j = {{"error", message}};
  for (const auto& [name, value] : more) {
    std::visit([&, &key = name](const auto& v) { j[key] = v; }, value);
  }
  // Messages may quote what a client sent: bytes that are not UTF-8 are replaced, not thrown.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

StatusOr<std::string> ReadError(std::string_view body) {
  const auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return InvalidArgument("an error body is a JSON object");
  const auto it = j.find("error");
  if (it == j.end() || !it->is_string()) return InvalidArgument("an error body has an \"error\"");
  return it->get<std::string>();
}

}  // namespace onair::contract
