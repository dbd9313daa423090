// http://host:port/path URLs as the services exchange them.
#pragma once

#include <string>

#include "core/status.h"

namespace onair::net {

struct Url {
  std::string scheme;  // "http" (https arrives with the edge)
  std::string host;
  std::string port;
  std::string path;  // without a trailing slash; "" for the root
};

StatusOr<Url> ParseUrl(const std::string& text);

}  // namespace onair::net
