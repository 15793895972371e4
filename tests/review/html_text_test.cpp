#include "modir/review/html_text.h"

#include <gtest/gtest.h>

namespace modir::review {
namespace {

TEST(HtmlText, Base64MatchesRfc4648Vectors) {
  // RFC 4648, section 10.
  EXPECT_EQ(base64(""), "");
  EXPECT_EQ(base64("f"), "Zg==");
  EXPECT_EQ(base64("fo"), "Zm8=");
  EXPECT_EQ(base64("foo"), "Zm9v");
  EXPECT_EQ(base64("foob"), "Zm9vYg==");
  EXPECT_EQ(base64("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64(std::string("\xff\x00\x80", 3)), "/wCA");
}

TEST(HtmlText, EscapesMarkupAndQuotes) {
  EXPECT_EQ(html_escape(R"(<PTV "70" & Blase>)"), "&lt;PTV &quot;70&quot; &amp; Blase&gt;");
  EXPECT_EQ(html_escape("Blåse"), "Blåse");
}

}  // namespace
}  // namespace modir::review
