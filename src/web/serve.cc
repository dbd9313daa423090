#include "web/serve.h"

#include <string>

#include "web/assets.h"

namespace onair::web {

service::Reply ServeAsset(std::string_view path) {
  const Asset* asset = FindAsset(path);
  if (!asset) return service::Error(404, "no such path");
  return service::Text(200, std::string(asset->bytes),
                       asset->immutable ? "public, max-age=86400" : "no-cache",
                       std::string(asset->content_type));
}

}  // namespace onair::web
