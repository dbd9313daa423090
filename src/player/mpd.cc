#include "player/mpd.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <pugixml.hpp>

#include "core/epoch.h"

namespace onair::player {
namespace {

// An element's name without its namespace prefix ("mpd:Period" -> "Period").
std::string_view Local(const pugi::xml_node& n) {
  std::string_view name = n.name();
  const size_t colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

std::vector<pugi::xml_node> Children(const pugi::xml_node& parent, std::string_view name) {
  std::vector<pugi::xml_node> out;
  for (pugi::xml_node c : parent.children()) {
    if (c.type() == pugi::node_element && Local(c) == name) out.push_back(c);
  }
  return out;
}

pugi::xml_node Child(const pugi::xml_node& parent, std::string_view name) {
  for (pugi::xml_node c : parent.children()) {
    if (c.type() == pugi::node_element && Local(c) == name) return c;
  }
  return {};
}

Status Bad(const std::string& what) { return InvalidArgument("MPD: " + what); }

// An integer attribute in [lo, hi]; absent leaves *out as is.
Status ReadInt(const pugi::xml_node& n, const char* attr, int64_t lo, int64_t hi, int64_t* out) {
  const pugi::xml_attribute a = n.attribute(attr);
  if (!a) return Status::Ok();
  const std::string_view text = a.value();
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < lo || v > hi) {
    return Bad(std::string(Local(n)) + "@" + attr + " is not an integer in [" + std::to_string(lo) +
               ", " + std::to_string(hi) + "]");
  }
  *out = v;
  return Status::Ok();
}

Status ReadDuration(const pugi::xml_node& n, const char* attr, int64_t* out) {
  const pugi::xml_attribute a = n.attribute(attr);
  if (!a) return Status::Ok();
  auto d = ParseIsoDuration(a.value());
  if (!d.ok()) return Bad(std::string(Local(n)) + "@" + attr + ": " + d.status().message());
  *out = *d;
  return Status::Ok();
}

// SegmentTemplate attributes inherit from the adaptation set to the representation; onair
// reads them at the set level, where its writers put them.
Status ReadTemplate(const pugi::xml_node& n, SegmentTemplate* t) {
  constexpr int64_t kMax = int64_t{1} << 53;
  ONAIR_RETURN_IF_ERROR(ReadInt(n, "timescale", 1, 1'000'000'000, &t->timescale));
  ONAIR_RETURN_IF_ERROR(ReadInt(n, "duration", 1, kMax, &t->duration));
  ONAIR_RETURN_IF_ERROR(ReadInt(n, "startNumber", 0, kMax, &t->start_number));
  ONAIR_RETURN_IF_ERROR(
      ReadInt(n, "presentationTimeOffset", 0, kMax, &t->presentation_time_offset));
  if (pugi::xml_attribute a = n.attribute("availabilityTimeOffset")) {
    const double ato = a.as_double(-1);
    if (!(ato >= 0 && ato <= 3600)) return Bad("SegmentTemplate@availabilityTimeOffset is bad");
    t->availability_time_offset = ato;
  }
  if (pugi::xml_attribute a = n.attribute("availabilityTimeComplete")) {
    t->availability_time_complete = std::string_view(a.value()) != "false";
  }
  if (pugi::xml_attribute a = n.attribute("initialization")) t->initialization = a.value();
  if (pugi::xml_attribute a = n.attribute("media")) t->media = a.value();
  if (Child(n, "SegmentTimeline")) {
    return Bad("SegmentTimeline is not supported: the player follows $Number$ templates");
  }
  return Status::Ok();
}

std::string ContentTypeOf(const pugi::xml_node& set) {
  std::string type = set.attribute("contentType").value();
  if (!type.empty()) return type;
  std::string mime = set.attribute("mimeType").value();
  if (mime.empty()) {
    if (pugi::xml_node r = Child(set, "Representation")) mime = r.attribute("mimeType").value();
  }
  return mime.substr(0, mime.find('/'));
}

Status ReadBaseUrls(const pugi::xml_node& parent, const std::string& against,
                    std::vector<BaseUrl>* out) {
  for (const pugi::xml_node& b : Children(parent, "BaseURL")) {
    std::string url = b.child_value();
    url.erase(0, url.find_first_not_of(" \t\r\n"));
    url.erase(url.find_last_not_of(" \t\r\n") + 1);
    if (url.empty() || url.size() > 2048) return Bad("a BaseURL is empty or too long");
    url = ResolveUrl(against, url);
    if (url.back() != '/') url += '/';
    out->push_back({url, b.attribute("serviceLocation").value()});
  }
  return Status::Ok();
}

}  // namespace

int64_t SegmentTemplate::duration_us() const {
  return RescaleRounded(duration, 1'000'000, timescale);
}

const AdaptationSet* Presentation::Find(const std::string& content_type) const {
  for (const AdaptationSet& s : sets) {
    if (s.content_type == content_type) return &s;
  }
  return nullptr;
}

StatusOr<int64_t> ParseIsoDuration(std::string_view text) {
  // P[nD][T[nH][nM][n[.f]S]]: the subset MPDs use (no years or months: their length varies).
  if (text.size() < 2 || text.size() > 64 || text[0] != 'P') {
    return InvalidArgument("not an xs:duration: '" + std::string(text) + "'");
  }
  double total = 0;
  bool in_time = false, any = false;
  size_t i = 1;
  while (i < text.size()) {
    if (text[i] == 'T') {
      if (in_time) return InvalidArgument("two T in a duration");
      in_time = true;
      ++i;
      continue;
    }
    size_t j = i;
    while (j < text.size() && (std::isdigit(static_cast<unsigned char>(text[j])) || text[j] == '.'))
      ++j;
    if (j == i || j == text.size())
      return InvalidArgument("bad xs:duration '" + std::string(text) + "'");
    double v = 0;
    const auto [end, ec] = std::from_chars(text.data() + i, text.data() + j, v);
    if (ec != std::errc() || end != text.data() + j)
      return InvalidArgument("bad number in a duration");
    const char unit = text[j];
    if (unit == 'D' && !in_time) {
      total += v * 86400;
    } else if (unit == 'H' && in_time) {
      total += v * 3600;
    } else if (unit == 'M' && in_time) {
      total += v * 60;
    } else if (unit == 'S' && in_time) {
      total += v;
    } else {
      return InvalidArgument("unsupported unit in xs:duration '" + std::string(text) + "'");
    }
    any = true;
    i = j + 1;
  }
  if (!any || total > 1e9) return InvalidArgument("bad xs:duration '" + std::string(text) + "'");
  return static_cast<int64_t>(std::llround(total * 1e6));
}

StatusOr<std::string> ExpandTemplate(std::string_view tmpl, const Representation& rep,
                                     int64_t number) {
  std::string out;
  size_t i = 0;
  while (i < tmpl.size()) {
    const size_t open = tmpl.find('$', i);
    if (open == std::string_view::npos) {
      out.append(tmpl.substr(i));
      break;
    }
    out.append(tmpl.substr(i, open - i));
    const size_t close = tmpl.find('$', open + 1);
    if (close == std::string_view::npos) return InvalidArgument("an unclosed $ in a template");
    std::string_view id = tmpl.substr(open + 1, close - open - 1);
    i = close + 1;
    if (id.empty()) {
      out += '$';
      continue;
    }
    int width = 0;
    const size_t pct = id.find('%');
    if (pct != std::string_view::npos) {
      std::string_view fmt = id.substr(pct);
      id = id.substr(0, pct);
      // %0Nd only
      if (fmt.size() < 4 || fmt[1] != '0' || fmt.back() != 'd') {
        return InvalidArgument("unsupported template format '" + std::string(fmt) + "'");
      }
      const auto [end, ec] = std::from_chars(fmt.data() + 2, fmt.data() + fmt.size() - 1, width);
      if (ec != std::errc() || end != fmt.data() + fmt.size() - 1 || width < 1 || width > 20) {
        return InvalidArgument("unsupported template format '" + std::string(fmt) + "'");
      }
    }
    std::string value;
    if (id == "RepresentationID" && width == 0) {
      value = rep.id;
    } else if (id == "Number") {
      value = std::to_string(number);
    } else if (id == "Bandwidth") {
      value = std::to_string(rep.bandwidth);
    } else {
      return InvalidArgument("unsupported template identifier $" + std::string(id) + "$");
    }
    if (static_cast<int>(value.size()) < width) value.insert(0, width - value.size(), '0');
    out += value;
  }
  return out;
}

std::string ResolveUrl(const std::string& base, const std::string& relative) {
  if (relative.find("://") != std::string::npos) return relative;
  const size_t scheme = base.find("://");
  const size_t root = scheme == std::string::npos ? 0 : base.find('/', scheme + 3);
  const std::string origin = root == std::string::npos ? base : base.substr(0, root);
  if (!relative.empty() && relative[0] == '/') return origin + relative;
  std::string dir = base.substr(0, base.find('?'));
  if (root == std::string::npos) return origin + "/" + relative;
  dir.erase(dir.rfind('/') + 1);
  return dir + relative;
}

StatusOr<Presentation> ParseMpd(std::string_view xml, const std::string& mpd_url) {
  if (xml.size() > (4u << 20)) return Bad("larger than 4 MiB");
  pugi::xml_document doc;
  const pugi::xml_parse_result parsed = doc.load_buffer(xml.data(), xml.size());
  if (!parsed) {
    return Bad(std::string("not XML: ") + parsed.description() + " at byte " +
               std::to_string(parsed.offset));
  }
  const pugi::xml_node mpd = doc.document_element();
  if (Local(mpd) != "MPD") return Bad("the root element is not MPD");
  Presentation p;
  p.dynamic = std::string_view(mpd.attribute("type").value()) == "dynamic";
  if (pugi::xml_attribute ast = mpd.attribute("availabilityStartTime")) {
    auto t = ParseUtc(ast.value());
    if (!t.ok()) return Bad("MPD@availabilityStartTime: " + t.status().message());
    p.availability_start = *t;
  } else if (p.dynamic) {
    return Bad("a dynamic MPD without availabilityStartTime");
  }
  ONAIR_RETURN_IF_ERROR(ReadDuration(mpd, "timeShiftBufferDepth", &p.time_shift_buffer_us));
  ONAIR_RETURN_IF_ERROR(ReadDuration(mpd, "suggestedPresentationDelay", &p.suggested_delay_us));
  if (pugi::xml_node sd = Child(mpd, "ServiceDescription")) {
    if (pugi::xml_node lat = Child(sd, "Latency")) {
      ONAIR_RETURN_IF_ERROR(ReadInt(lat, "target", 0, 3'600'000, &p.latency_target_ms));
    }
  }
  for (const pugi::xml_node& u : Children(mpd, "UTCTiming")) {
    p.utc_timings.push_back({u.attribute("schemeIdUri").value(), u.attribute("value").value()});
  }
  ONAIR_RETURN_IF_ERROR(ReadBaseUrls(mpd, mpd_url, &p.base_urls));
  if (pugi::xml_node cs = Child(mpd, "ContentSteering")) {
    ContentSteering s;
    std::string url = cs.child_value();
    url.erase(0, url.find_first_not_of(" \t\r\n"));
    url.erase(url.find_last_not_of(" \t\r\n") + 1);
    if (!url.empty()) {
      s.server_url = ResolveUrl(mpd_url, url);
      s.default_service_location = cs.attribute("defaultServiceLocation").value();
      s.query_before_start = std::string_view(cs.attribute("queryBeforeStart").value()) == "true";
      p.steering = s;
    }
  }
  const std::vector<pugi::xml_node> periods = Children(mpd, "Period");
  if (periods.size() != 1)
    return Bad("the player follows one Period, this MPD has " + std::to_string(periods.size()));
  const pugi::xml_node period = periods[0];
  ONAIR_RETURN_IF_ERROR(ReadDuration(period, "start", &p.period_start_us));
  if (p.base_urls.empty()) {
    ONAIR_RETURN_IF_ERROR(ReadBaseUrls(period, mpd_url, &p.base_urls));
  }
  if (p.base_urls.empty()) p.base_urls.push_back({ResolveUrl(mpd_url, ""), ""});
  for (BaseUrl& b : p.base_urls) {
    if (b.url.back() != '/') b.url += '/';
  }
  for (const pugi::xml_node& set : Children(period, "AdaptationSet")) {
    AdaptationSet a;
    a.content_type = ContentTypeOf(set);
    if (a.content_type != "video" && a.content_type != "audio") continue;  // text, images
    pugi::xml_node tmpl = Child(set, "SegmentTemplate");
    for (const pugi::xml_node& r : Children(set, "Representation")) {
      Representation rep;
      rep.id = r.attribute("id").value();
      if (rep.id.empty() || rep.id.size() > 128) return Bad("a Representation without a good id");
      int64_t w = 0, h = 0;
      ONAIR_RETURN_IF_ERROR(ReadInt(r, "bandwidth", 1, int64_t{1} << 40, &rep.bandwidth));
      ONAIR_RETURN_IF_ERROR(ReadInt(r, "width", 0, 65535, &w));
      ONAIR_RETURN_IF_ERROR(ReadInt(r, "height", 0, 65535, &h));
      rep.width = static_cast<int>(w);
      rep.height = static_cast<int>(h);
      rep.codecs = r.attribute("codecs").value();
      if (rep.codecs.empty()) rep.codecs = set.attribute("codecs").value();
      if (!tmpl) tmpl = Child(r, "SegmentTemplate");
      a.representations.push_back(std::move(rep));
    }
    if (a.representations.empty()) continue;
    if (!tmpl) return Bad("an AdaptationSet without a SegmentTemplate");
    ONAIR_RETURN_IF_ERROR(ReadTemplate(tmpl, &a.segments));
    if (a.segments.duration == 0 || a.segments.media.empty() || a.segments.initialization.empty()) {
      return Bad("a SegmentTemplate needs @duration, @media and @initialization");
    }
    std::stable_sort(
        a.representations.begin(), a.representations.end(),
        [](const Representation& x, const Representation& y) { return x.bandwidth < y.bandwidth; });
    p.sets.push_back(std::move(a));
  }
  if (!p.Find("video") && !p.Find("audio")) return Bad("no video or audio to play");
  return p;
}

}  // namespace onair::player
