// Init segments arrive from pipelines over HTTP: the box walk behind the codecs string
// must survive any bytes.
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "media/cmaf_writer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  const std::string codecs = onair::media::CodecStringFromInit(bytes);
  FUZZ_CHECK(codecs.size() < 64);
  for (char c : codecs) FUZZ_CHECK(c > ' ' && c < 127);
  return 0;
}
