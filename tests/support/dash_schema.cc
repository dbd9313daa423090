#include "support/dash_schema.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>

#include "support/process.h"

namespace onair::test {

namespace {

constexpr const char* kSteeringElement =
    "\t\t\t<xs:element name=\"ContentSteering\" type=\"ContentSteeringType\" minOccurs=\"0\"/>\n";
constexpr const char* kSteeringType = R"(	<xs:complexType name="ContentSteeringType">
		<xs:simpleContent>
			<xs:extension base="xs:anyURI">
				<xs:attribute name="defaultServiceLocation" type="xs:string"/>
				<xs:attribute name="queryBeforeStart" type="xs:boolean" default="false"/>
				<xs:attribute name="clientRequirement" type="xs:boolean" default="true"/>
				<xs:attribute name="proxyServerURL" type="xs:anyURI"/>
				<xs:anyAttribute namespace="##other" processContents="lax"/>
			</xs:extension>
		</xs:simpleContent>
	</xs:complexType>
)";

// The folder with the schema (ContentSteering added) and its imports, made once.
const std::string& SchemaDir() {
  static std::once_flag once;
  static std::string dir;
  std::call_once(once, [] {
    dir = TempDir("dash-schema");
    std::string xsd = ReadFile(SourceDir() + "/testdata/dash-schema/DASH-MPD.xsd");
    const std::string after = "name=\"PatchLocation\"";
    size_t at = xsd.find(after);
    if (at == std::string::npos) throw std::runtime_error("DASH-MPD.xsd: no PatchLocation");
    at = xsd.find('\n', at) + 1;
    xsd.insert(at, kSteeringElement);
    const size_t end = xsd.rfind("</xs:schema>");
    if (end == std::string::npos) throw std::runtime_error("DASH-MPD.xsd: no end");
    xsd.insert(end, kSteeringType);
    WriteFile(dir + "/DASH-MPD.xsd", xsd);
    for (const char* f : {"xlink.xsd", "xml.xsd"}) {
      std::filesystem::copy_file(std::string("/usr/share/xml/docbook/schema/xsd/5.0/") + f,
                                 dir + "/" + f, std::filesystem::copy_options::overwrite_existing);
    }
  });
  return dir;
}

}  // namespace

std::string MpdSchemaErrors(const std::string& mpd) {
  const std::string& dir = SchemaDir();
  static std::mutex mu;  // one file per process at a time
  std::lock_guard<std::mutex> lock(mu);
  const std::string file = dir + "/checked.mpd";
  WriteFile(file, mpd);
  const CommandResult r =
      RunCommand({"xmllint", "--nonet", "--noout", "--schema", dir + "/DASH-MPD.xsd", file}, 60);
  if (r.exit_code == 0) return "";
  return r.err.empty() ? "xmllint failed" : r.err;
}

}  // namespace onair::test
