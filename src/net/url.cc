#include "net/url.h"

namespace onair::net {

StatusOr<Url> ParseUrl(const std::string& text) {
  Url u;
  const size_t scheme_end = text.find("://");
  if (scheme_end == std::string::npos) return InvalidArgument("not a URL: '" + text + "'");
  u.scheme = text.substr(0, scheme_end);
  if (u.scheme != "http" && u.scheme != "https") {
    return InvalidArgument("only http:// and https:// URLs are supported: '" + text + "'");
  }
  std::string rest = text.substr(scheme_end + 3);
  const size_t slash = rest.find('/');
  std::string authority = slash == std::string::npos ? rest : rest.substr(0, slash);
  u.path = slash == std::string::npos ? "" : rest.substr(slash);
  while (!u.path.empty() && u.path.back() == '/') u.path.pop_back();
  if (authority.empty() || authority.find('@') != std::string::npos) {
    return InvalidArgument("bad host in URL '" + text + "'");
  }
  const size_t colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']') == std::string::npos) {
    u.host = authority.substr(0, colon);
    u.port = authority.substr(colon + 1);
  } else {
    u.host = authority;
    u.port = u.scheme == "https" ? "443" : "80";
  }
  if (u.host.empty() || u.port.empty() ||
      u.port.find_first_not_of("0123456789") != std::string::npos || u.port.size() > 5 ||
      std::stoi(u.port) == 0 || std::stoi(u.port) > 65535) {
    return InvalidArgument("bad host or port in URL '" + text + "'");
  }
  return u;
}

StatusOr<Endpoint> SplitUrl(const std::string& text) {
  auto u = ParseUrl(text);
  if (!u.ok()) return u.status();
  Endpoint e{*u, u->path.empty() ? "/" : u->path};
  // ParseUrl drops a trailing slash; a target keeps it.
  if (text.back() == '/' && e.target.back() != '/') e.target += '/';
  e.server.path.clear();
  return e;
}

}  // namespace onair::net
