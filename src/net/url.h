// http://host:port/path URLs as the services exchange them.
#pragma once

#include <string>

#include "core/status.h"

namespace onair::net {

struct Url {
  std::string scheme;  // "http" or "https"
  std::string host;
  std::string port;
  std::string path;  // without a trailing slash; "" for the root
};

StatusOr<Url> ParseUrl(const std::string& text);

// An absolute URL as a server to connect to (no path) and the request target to ask it for
// (the path, "/" when none, a trailing '/' and the query kept).
struct Endpoint {
  Url server;
  std::string target;
};
StatusOr<Endpoint> SplitUrl(const std::string& text);

}  // namespace onair::net
