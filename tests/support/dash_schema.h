// Validating MPDs against the DASH schema (ISO/IEC 23009-1), offline: the schema copy in
// testdata/dash-schema, its xlink import from Debian's docbook5-xml, and xmllint.
#pragma once

#include <string>

namespace onair::test {

// "" when `mpd` is valid; xmllint's complaint otherwise. The schema copy predates DASH-IF
// Content Steering: the `ContentSteering` element of later editions (MPD level, after the
// BaseURLs) is added to the copy used here (testdata/dash-schema/README.md).
std::string MpdSchemaErrors(const std::string& mpd);

}  // namespace onair::test
