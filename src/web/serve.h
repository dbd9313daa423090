// A web asset (web/assets.h) as a service's answer: its bytes, its type, cached for long when
// they are the same for the build, 404 for a path that has none.
#pragma once

#include <string_view>

#include "service/reply.h"

namespace onair::web {

service::Reply ServeAsset(std::string_view path);

}  // namespace onair::web
