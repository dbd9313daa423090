#include "core/markup.h"

#include <gtest/gtest.h>

namespace onair {
namespace {

TEST(MarkupEscape, EscapesWhatCouldEndAnElementOrAnAttribute) {
  EXPECT_EQ(MarkupEscape(R"(a&b <x> "q" 'ok')"), "a&amp;b &lt;x&gt; &quot;q&quot; 'ok'");
  EXPECT_EQ(MarkupEscape(""), "");
}

}  // namespace
}  // namespace onair
