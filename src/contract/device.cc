#include "contract/device.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "contract/json_fields.h"
#include "core/event_config.h"

namespace onair::contract {

namespace {

using json = nlohmann::json;

const char* kWhat = "device description";

Status Bad(const std::string& field, const std::string& why) { return BadField(kWhat, field, why); }

bool OneOf(const std::string& v, std::initializer_list<const char*> names) {
  return std::any_of(names.begin(), names.end(), [&](const char* n) { return v == n; });
}

}  // namespace

namespace {

// The fields of a device description, read in one pass of nlohmann's SAX parser: no document
// is built (every play start reads one, so allocations count), unknown fields are skipped
// whatever their shape, and the last of repeated keys wins, as in a parsed document.
enum Field {
  kId,
  kType,
  kCodecs,
  kWidth,
  kHeight,
  kBitrate,
  kHdr,
  kDrm,
  kRegion,
  kFormat,
  kFields
};
constexpr const char* kFieldNames[kFields] = {"device_id",  "device_type", "codecs", "max_width",
                                              "max_height", "max_bitrate", "hdr",    "drm",
                                              "region",     "format"};

struct Raw {  // one known field's value as it came
  enum Kind { kAbsent, kString, kInt, kUnsigned, kOther, kBool, kArray } kind = kAbsent;
  std::string text;
  int64_t i = 0;
  uint64_t u = 0;
  bool b = false;
  std::vector<std::string> items;  // an array's strings
  bool items_ok = true;            // every item a string, at most 64 of them
};

class DeviceReader : public nlohmann::json_sax<json> {
 public:
  Raw raw[kFields];
  bool not_object = false;

  bool null() override {
    Scalar(Raw::kOther);
    return !not_object;
  }
  bool boolean(bool v) override {
    if (Raw* r = Scalar(Raw::kBool)) r->b = v;
    return !not_object;
  }
  bool number_integer(number_integer_t v) override {
    if (Raw* r = Scalar(Raw::kInt)) r->i = v;
    return !not_object;
  }
  bool number_unsigned(number_unsigned_t v) override {
    if (Raw* r = Scalar(Raw::kUnsigned)) r->u = v;
    return !not_object;
  }
  bool number_float(number_float_t, const string_t&) override {
    Scalar(Raw::kOther);
    return !not_object;
  }
  bool string(string_t& v) override {
    if (depth_ == 2 && array_) {
      if (array_->items.size() >= 64) {
        array_->items_ok = false;
      } else {
        array_->items.push_back(std::move(v));
      }
      return true;
    }
    if (Raw* r = Scalar(Raw::kString)) r->text = std::move(v);
    return !not_object;
  }
  bool binary(binary_t&) override {
    Scalar(Raw::kOther);
    return !not_object;
  }
  bool start_object(std::size_t) override {
    Open(Raw::kOther);
    return !not_object;
  }
  bool end_object() override { return Close(); }
  bool start_array(std::size_t) override {
    if (depth_ == 0) {
      not_object = true;
      return false;
    }
    Raw* r = Open(Raw::kArray);
    if (r) {
      r->items.clear();
      r->items_ok = true;
      array_ = r;
    }
    return true;
  }
  bool end_array() override { return Close(); }
  bool key(string_t& k) override {
    if (depth_ == 1) {
      current_ = -1;
      for (int f = 0; f < kFields; ++f) {
        if (k == kFieldNames[f]) current_ = f;
      }
    }
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  // A value at the top level of the object for a known field: its Raw, else null.
  Raw* Here() { return depth_ == 1 && current_ >= 0 ? &raw[current_] : nullptr; }
  Raw* Scalar(Raw::Kind kind) {
    if (depth_ == 0) {
      not_object = true;
      return nullptr;
    }
    if (depth_ == 2 && array_) array_->items_ok = false;  // a non-string item
    Raw* r = Here();
    if (r) r->kind = kind;
    return r;
  }
  Raw* Open(Raw::Kind kind) {
    if (depth_ == 2 && array_) array_->items_ok = false;  // an item that is no string
    Raw* r = Here();
    if (r) r->kind = kind;
    ++depth_;
    return r;
  }
  bool Close() {
    --depth_;
    if (depth_ <= 1) array_ = nullptr;
    return true;
  }

  int depth_ = 0;
  int current_ = -1;
  Raw* array_ = nullptr;  // the known field's array being read (depth 2)
};

Status RangeError(int field, int64_t lo, int64_t hi) {
  return Bad(kFieldNames[field],
             "must be a whole number within " + std::to_string(lo) + ".." + std::to_string(hi));
}

// An optional whole number inside [lo, hi] (0 when absent).
Status Whole(const Raw& r, int field, int64_t lo, int64_t hi, int64_t* out) {
  if (r.kind == Raw::kAbsent) return Status::Ok();
  if (r.kind == Raw::kInt && r.i >= lo && r.i <= hi) {
    *out = r.i;
    return Status::Ok();
  }
  if (r.kind == Raw::kUnsigned && r.u >= static_cast<uint64_t>(lo) &&
      r.u <= static_cast<uint64_t>(hi)) {
    *out = static_cast<int64_t>(r.u);
    return Status::Ok();
  }
  return RangeError(field, lo, hi);
}

// An optional array of at most `most` names of 1-32 printable characters, lowercased.
Status Names(Raw& r, int field, size_t most, std::vector<std::string>* out) {
  if (r.kind == Raw::kAbsent) return Status::Ok();
  if (r.kind != Raw::kArray || !r.items_ok || r.items.size() > most) {
    return Bad(kFieldNames[field],
               "must be an array of at most " + std::to_string(most) + " strings");
  }
  ONAIR_RETURN_IF_ERROR(CheckNames(r.items, kWhat, kFieldNames[field], false));
  *out = std::move(r.items);
  return Status::Ok();
}

}  // namespace

StatusOr<Device> ParseDevice(const std::string& json_text) {
  if (json_text.size() > kMaxDeviceBody) {
    return InvalidArgument("device description larger than " + std::to_string(kMaxDeviceBody) +
                           " bytes");
  }
  DeviceReader in;
  const bool parsed = json::sax_parse(json_text, &in);
  if (in.not_object) return InvalidArgument("device description: not a JSON object");
  if (!parsed) return InvalidArgument("device description: not JSON");
  Raw* raw = in.raw;
  Device d;

  if (raw[kId].kind != Raw::kString) return Bad("device_id", "is required (a string)");
  d.id = std::move(raw[kId].text);
  if (d.id.empty() || d.id.size() > 128 || !Printable(d.id)) {
    return Bad("device_id", "must be 1-128 printable characters");
  }

  d.type = "other";
  if (raw[kType].kind != Raw::kAbsent) {
    if (raw[kType].kind != Raw::kString) return Bad("device_type", "must be a string");
    d.type = std::move(raw[kType].text);
    if (!OneOf(d.type,
               {"tv", "phone", "tablet", "desktop", "browser", "stb", "console", "other"})) {
      return Bad("device_type",
                 "must be one of tv, phone, tablet, desktop, browser, stb, console, other");
    }
  }

  std::vector<std::string> codecs;
  if (raw[kCodecs].kind == Raw::kAbsent) {
    return Bad("codecs", "is required (e.g. [\"avc\", \"hevc\"])");
  }
  if (Status s = Names(raw[kCodecs], kCodecs, 16, &codecs); !s.ok()) return s;
  for (const std::string& c : codecs) {  // others (av1, vp9, ...) are not in any ladder yet
    d.avc = d.avc || OneOf(c, {"avc", "h264", "avc1", "avc3"});
    d.hevc = d.hevc || OneOf(c, {"hevc", "h265", "hvc1", "hev1"});
  }

  int64_t width = 0, height = 0, bitrate = 0;
  if (Status s = Whole(raw[kWidth], kWidth, 16, 16384, &width); !s.ok()) return s;
  if (Status s = Whole(raw[kHeight], kHeight, 16, 16384, &height); !s.ok()) return s;
  if (Status s = Whole(raw[kBitrate], kBitrate, 10'000, 10'000'000'000, &bitrate); !s.ok()) {
    return s;
  }
  d.max_width = static_cast<int>(width);
  d.max_height = static_cast<int>(height);
  d.max_bitrate = bitrate;

  if (raw[kHdr].kind != Raw::kAbsent) {
    if (raw[kHdr].kind != Raw::kBool) return Bad("hdr", "must be true or false");
    d.hdr = raw[kHdr].b;
  }
  if (Status s = Names(raw[kDrm], kDrm, 8, &d.drm); !s.ok()) return s;
  for (const std::string& k : d.drm) {
    if (!OneOf(k, {"widevine", "playready", "fairplay", "clearkey"})) {
      return Bad("drm", "must name widevine, playready, fairplay or clearkey");
    }
  }
  if (raw[kRegion].kind != Raw::kAbsent) {
    if (raw[kRegion].kind != Raw::kString || !IsSafeName(raw[kRegion].text)) {
      return Bad("region", "must be a name of 1-64 of [a-zA-Z0-9_-]");
    }
    d.region = std::move(raw[kRegion].text);
  }
  if (raw[kFormat].kind != Raw::kAbsent) {
    if (raw[kFormat].kind != Raw::kString || !OneOf(raw[kFormat].text, {"dash", "hls"})) {
      return Bad("format", "must be \"dash\" or \"hls\"");
    }
    d.format = raw[kFormat].text == "hls" ? Format::kHls : Format::kDash;
  }
  return d;
}

std::string WriteDevice(const Device& d) {
  json codecs = json::array();
  if (d.avc) codecs.push_back("avc");
  if (d.hevc) codecs.push_back("hevc");
  json j = {{"device_id", d.id}, {"codecs", codecs}};
  if (!d.type.empty()) j["device_type"] = d.type;
  if (d.max_width > 0) j["max_width"] = d.max_width;
  if (d.max_height > 0) j["max_height"] = d.max_height;
  if (d.max_bitrate > 0) j["max_bitrate"] = d.max_bitrate;
  if (d.hdr) j["hdr"] = true;
  if (!d.drm.empty()) j["drm"] = d.drm;
  if (!d.region.empty()) j["region"] = d.region;
  if (d.format == Format::kHls) j["format"] = "hls";
  return j.dump();
}

}  // namespace onair::contract
