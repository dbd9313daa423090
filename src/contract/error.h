// The one error shape of every onair service (docs/service.md, "Errors"): a JSON object whose
// "error" says what went wrong to the person reading it, with more fields where they help a
// client act (retry_after_ms, allow, ...). Written by the service layer, read by clients.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/status.h"

namespace onair::contract {

using ErrorValue = std::variant<std::string, int64_t, bool>;
using ErrorFields = std::vector<std::pair<std::string, ErrorValue>>;

// {"error": message, more...} and a newline.
std::string WriteError(std::string_view message, const ErrorFields& more = {});
// The message of an error body; InvalidArgument if the body is not one.
StatusOr<std::string> ReadError(std::string_view body);

}  // namespace onair::contract
