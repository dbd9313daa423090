// Text put inside XML or HTML (an MPD's attributes and elements, the metrics report's page):
// &, <, > and " escaped, so a value cannot end the element or the attribute it sits in.
#pragma once

#include <string>
#include <string_view>

namespace onair {

std::string MarkupEscape(std::string_view text);

}  // namespace onair
