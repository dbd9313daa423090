// Origin, edge and service URLs come from the command line and the admin API.
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "net/url.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto url = onair::net::ParseUrl(text);
  if (!url.ok()) return 0;
  FUZZ_CHECK(url->scheme == "http" || url->scheme == "https");
  FUZZ_CHECK(!url->host.empty());
  const int port = std::stoi(url->port);
  FUZZ_CHECK(port > 0 && port < 65536);
  FUZZ_CHECK(url->path.empty() || (url->path.front() == '/' && url->path.back() != '/'));
  return 0;
}
