#include "core/bearer.h"

namespace onair {

bool TokenMatches(std::string_view header, const std::string& token) {
  const std::string_view prefix = "Bearer ";
  if (token.empty() || header.size() != prefix.size() + token.size()) return false;
  if (header.substr(0, prefix.size()) != prefix) return false;
  unsigned char diff = 0;  // constant time over the token
  for (size_t k = 0; k < token.size(); ++k) {
    diff |= static_cast<unsigned char>(header[prefix.size() + k] ^ token[k]);
  }
  return diff == 0;
}

}  // namespace onair
